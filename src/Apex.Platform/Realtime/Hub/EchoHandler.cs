namespace Apex.Platform.Realtime.Hub;

/// <summary>"echo": answers with the same data; what clients use to measure and test a link.</summary>
internal sealed class EchoHandler : IHubHandler
{
    public IReadOnlyCollection<string> Types { get; } = ["echo"];

    public Task HandleAsync(HubMessage message)
    {
        message.Reply(message.Frame with { Seq = null });
        return Task.CompletedTask;
    }
}
