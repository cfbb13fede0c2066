using System.Net.Sockets;
using System.Text;
using Apex.Coverage.Tests.Ingestion;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Apex.Coverage.Tests.Hostile;

/// <summary>
/// Attacks only a real Kestrel sees: a body trickled in byte by byte, a request line or header
/// block past the limits. Raw sockets, so nothing in the client smooths the attack over.
/// </summary>
public sealed class KestrelEdgeTests : IAsyncLifetime
{
    private readonly IngestionHostFactory _factory = new(configure: b =>
    {
        b.UseSetting("Ingestion:AllowUnknownSuites", "true");
        b.UseSetting("Ingestion:BodyGracePeriod", "00:00:02");
        b.UseSetting("Ingestion:MinBodyBytesPerSecond", "1000");
        b.ConfigureLogging(l => l.AddProvider(new HardeningTests.ErrorCollector(Errors)));
    });

    private static readonly System.Collections.Concurrent.ConcurrentQueue<string> Errors = new();

    private string _token = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _factory.UseKestrel(0);
        _factory.StartServer();
        using var client = await _factory.CreateAuthorizedClientAsync("slow");
        _token = client.DefaultRequestHeaders.Authorization!.Parameter!;
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task PostResults_Answers408ProblemAndStoresNothing_WhenBodyTrickles()
    {
        var suite = HostileHost.NewSuite();
        using var socket = await ConnectAsync();
        var stream = socket.GetStream();
        var head = $"POST /api/v1/results?suite={suite} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {_token}\r\n"
            + "Content-Type: application/xml\r\nContent-Length: 100000\r\n\r\n<testsuites>";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        await stream.FlushAsync(Ct);

        // The body stops there: Kestrel's data-rate check ends the wait (2 s grace, then 1,000 B/s).
        var answer = await ReadAnswerAsync(stream);

        Assert.True(answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer + string.Join("\n", Errors));
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Contains("Request body too slow", answer, StringComparison.Ordinal);
        await new HostileHostAssertions(_factory).AssertNothingWrittenAsync(suite);
    }

    [Theory]
    [InlineData(20 * 1024, 0, "HTTP/1.1 414")]
    [InlineData(0, 48 * 1024, "HTTP/1.1 431")]
    public async Task Get_AnswersProblemOverKestrel_WhenRequestIsOverLimits(int targetBytes, int headerBytes, string status)
    {
        using var socket = await ConnectAsync();
        var stream = socket.GetStream();
        var request = $"GET /api/v1/runs?pad={new string('q', targetBytes)} HTTP/1.1\r\nHost: localhost\r\nX-Pad: {new string('h', headerBytes)}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Ct);

        var answer = await ReadAnswerAsync(stream);

        Assert.StartsWith(status, answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var address = _factory.ClientOptions.BaseAddress;
        var socket = new TcpClient();
        await socket.ConnectAsync(address.Host, address.Port, Ct);
        return socket;
    }

    // Reads until the server closes or the answer's body (by Content-Length) is complete.
    private static async Task<string> ReadAnswerAsync(NetworkStream stream)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var text = new StringBuilder();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (IsComplete(text.ToString()))
                {
                    break;
                }
            }
        }
        catch (IOException) when (text.Length > 0)
        {
            // The server may reset the connection after its answer (the body never completed).
        }

        return text.ToString();
    }

    private static bool IsComplete(string answer)
    {
        var end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var length = System.Text.RegularExpressions.Regex.Match(answer, @"Content-Length: (\d+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return end > 0 && length.Success && answer.Length - end - 4 >= int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
