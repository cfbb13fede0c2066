namespace Apex.Coverage.Web.VsTest;

/// <summary>
/// Runs a blocking translation-layer call on a thread of its own and hands back a task, so no
/// request, circuit or thread-pool thread waits on vstest.console.
/// </summary>
internal static class DedicatedThread
{
    public static Task<T> Run<T>(string name, Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (Exception error)
            {
                completion.SetException(error);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return completion.Task;
    }

    public static Task Run(string name, Action work) => Run(name, () =>
    {
        work();
        return true;
    });
}
