using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Apex.Integration.LeakWorkload;

// Runs the notification-hub workload in rounds, as the test that watches it asks over a loopback
// connection: "round" runs one round and answers "ran <iterations so far>"; the end of the
// connection ends the process. Between rounds it is idle, so the test samples a settled heap.
//   <control port> <leak|dispose> <bytes held per subscriber> <iterations per round> <run directory>
// The run directory is not used here: it puts the suite's apex-it-<run id>- marker on this
// process's command line, where the leftover check looks for it.
var port = int.Parse(args[0], CultureInfo.InvariantCulture);
var leak = args[1] == "leak";
var heldBytes = int.Parse(args[2], CultureInfo.InvariantCulture);
var iterationsPerRound = int.Parse(args[3], CultureInfo.InvariantCulture);

using var control = new TcpClient();
await control.ConnectAsync(IPAddress.Loopback, port);
using var reader = new StreamReader(control.GetStream());
await using var writer = new StreamWriter(control.GetStream()) { AutoFlush = true };
var hub = new NotificationHub();
var subscriptions = new List<IDisposable>();
var iterations = 0;
while (await reader.ReadLineAsync() == "round")
{
    for (var i = 0; i < iterationsPerRound; i++, iterations++)
    {
        // The leaking caller keeps its subscription and never disposes it; the twin disposes.
        var subscription = hub.Subscribe(new Listener(heldBytes));
        hub.Publish(string.Create(CultureInfo.InvariantCulture, $"tick {iterations}"));
        if (leak) subscriptions.Add(subscription);
        else subscription.Dispose();
    }

    await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ran {iterations} listeners {hub.Count}"));
}

GC.KeepAlive(subscriptions);
