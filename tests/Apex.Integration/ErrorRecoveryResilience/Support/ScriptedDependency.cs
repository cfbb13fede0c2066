using System.Text.Json;
using Apex.Integration.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.ErrorRecoveryResilience.Support;

public enum DependencyMode
{
    Healthy,

    /// <summary>Answers <see cref="ScriptedDependency.FailureStatus"/> with a message that names a varying order number.</summary>
    Failing,

    /// <summary>Accepts the request and answers only when the test releases it: a slow dependency.</summary>
    Hold,

    /// <summary>Closes the connection without an answer.</summary>
    Unreachable,
}

/// <summary>An external dependency (an HTTP API the platform calls) whose behaviour the test switches at run time.</summary>
public sealed class ScriptedDependency : FakeHttpServer
{
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;
    private int _held;

    public DependencyMode Mode { get; set; }

    public int FailureStatus { get; set; } = StatusCodes.Status500InternalServerError;

    public int Requests => Volatile.Read(ref _requests);

    public int Held => Volatile.Read(ref _held);

    public static async Task<ScriptedDependency> StartNewAsync()
    {
        var dependency = new ScriptedDependency();
        await dependency.StartAsync();
        return dependency;
    }

    /// <summary>Lets every held request answer.</summary>
    public void Release() => Interlocked.Exchange(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    protected override void Map(WebApplication app) => app.Run(async context =>
    {
        var number = Interlocked.Increment(ref _requests);
        switch (Mode)
        {
            case DependencyMode.Unreachable:
                context.Abort();
                return;
            case DependencyMode.Failing:
                context.Response.StatusCode = FailureStatus;
                await context.Response.WriteAsync($"order {1000 + number} failed: upstream timeout after {number * 7} ms", context.RequestAborted);
                return;
            case DependencyMode.Hold:
                await HoldAsync(context.RequestAborted);
                break;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { ok = true, number }), context.RequestAborted);
    });

    private async Task HoldAsync(CancellationToken aborted)
    {
        Interlocked.Increment(ref _held);
        try
        {
            await _release.Task.WaitAsync(aborted);
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }
}
