using System.Text.Json;
using Apex.Platform.Realtime.Hub;

namespace Apex.Platform.Realtime.Ordering;

/// <summary>One ordered stream of one connection: the next expected sequence, the early frames, the open gap's timer.</summary>
internal sealed class OrderedStream(string name, HubConnection connection, OrderingOptions options, TimeProvider time) : IAsyncDisposable
{
    private readonly SortedDictionary<long, JsonElement> _early = [];
    private long _expected = 1;
    private ITimer? _gapTimer;

    public void Accept(long seq, JsonElement body)
    {
        lock (_early)
        {
            if (seq < _expected || _early.ContainsKey(seq)) return;
            if (seq >= _expected + options.Window)
            {
                throw new HubException("out-of-window", $"Stream '{name}' expects {_expected}; frames more than {options.Window} ahead are refused.");
            }

            if (seq != _expected)
            {
                _early[seq] = body;
                if (_gapTimer is null) OpenGap(seq);
                return;
            }

            Deliver(seq, body);
            Flush();
        }
    }

    private void OpenGap(long firstEarly)
    {
        connection.Send(HubFrame.Of("resend", new { stream = name, from = _expected, to = firstEarly - 1 }));
        _gapTimer = time.CreateTimer(_ => GapExpired(), null, options.GapTimeout, Timeout.InfiniteTimeSpan);
    }

    private void GapExpired()
    {
        lock (_early)
        {
            if (_early.Count == 0) return;
            var next = _early.Keys.First();
            connection.Send(HubFrame.Of("gap", new { stream = name, from = _expected, to = next - 1 }));
            _expected = next;
            CloseGapTimer();
            Flush();
        }
    }

    private void Flush()
    {
        while (_early.Remove(_expected, out var body)) Deliver(_expected, body);
        if (_early.Count == 0) CloseGapTimer();
        else if (_gapTimer is null) OpenGap(_early.Keys.First());
    }

    private void Deliver(long seq, JsonElement body)
    {
        connection.Send(HubFrame.Of("delivered", new { stream = name, body }, seq: seq));
        _expected = seq + 1;
    }

    private void CloseGapTimer()
    {
        _gapTimer?.Dispose();
        _gapTimer = null;
    }

    public ValueTask DisposeAsync()
    {
        lock (_early) CloseGapTimer();
        return ValueTask.CompletedTask;
    }
}
