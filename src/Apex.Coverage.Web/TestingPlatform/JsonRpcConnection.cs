using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Apex.Coverage.Web.TestingPlatform;

/// <summary>The connection to a test app ended before it answered a request.</summary>
public sealed class ConnectionLostException(string message) : IOException(message);

/// <summary>The test app answered a request with a JSON-RPC error.</summary>
public sealed class JsonRpcErrorException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}

/// <summary>
/// JSON-RPC 2.0 over one stream with LSP-style framing (<c>Content-Length: n\r\n\r\n</c> then n
/// bytes of UTF-8 JSON), as Microsoft.Testing.Platform's server mode speaks it. One read loop
/// hands notifications to <paramref name="onNotification"/> in the order they came, before the
/// response that follows them completes its request: a run's last result is handled before the
/// run's answer is seen. Requests the app sends (a debugger to attach) are declined.
/// </summary>
public sealed class JsonRpcConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Stream _reader;
    private readonly Action<string, JsonElement> _onNotification;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _reading;
    private long _nextId;

    public JsonRpcConnection(Stream stream, Action<string, JsonElement> onNotification)
    {
        // Reads go through their own buffer; writes go straight to the stream (a socket reads and
        // writes at once, a BufferedStream shared by both would not).
        (_stream, _reader, _onNotification) = (stream, new BufferedStream(stream, 64 * 1024), onNotification);
        _reading = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes when the other side closed the connection (or it broke).</summary>
    public Task Closed => _reading;

    /// <summary>Sends a request; <paramref name="sent"/> learns its id (to cancel it) before the answer comes.</summary>
    public async Task<JsonElement> RequestAsync(string method, JsonObject parameters, Action<long>? sent = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        if (_reading.IsCompleted)
        {
            _pending.TryRemove(id, out _);
            throw new ConnectionLostException("The test app closed the connection.");
        }

        await WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        sent?.Invoke(id);
        return await answer.Task;
    }

    public Task NotifyAsync(string method, JsonObject parameters) =>
        WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    private async Task WriteAsync(JsonObject message)
    {
        var body = Encoding.UTF8.GetBytes(message.ToJsonString());
        byte[] frame = [.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n"), .. body];
        await _writing.WaitAsync();
        try
        {
            await _stream.WriteAsync(frame);
            await _stream.FlushAsync();
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            throw new ConnectionLostException($"The test app closed the connection: {error.Message}");
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await ReadFrameAsync() is { } body)
            {
                await DispatchAsync(body);
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or OperationCanceledException or JsonException)
        {
            // The app died or closed the connection: whatever was asked is answered below.
        }
        finally
        {
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new ConnectionLostException("The test app closed the connection before it answered."));
            }
        }
    }

    private async Task DispatchAsync(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var message = document.RootElement;
        var hasId = message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number;
        if (message.TryGetProperty("method", out var method))
        {
            if (!hasId)
            {
                _onNotification(method.GetString() ?? string.Empty, message.TryGetProperty("params", out var p) ? p : default);
                return;
            }

            await WriteAsync(new JsonObject
            {
                ["jsonrpc"] = "2.0", ["id"] = id.GetInt64(),
                ["error"] = new JsonObject { ["code"] = -32601, ["message"] = "Not supported by this client." },
            });
            return;
        }

        if (hasId && _pending.TryRemove(id.GetInt64(), out var answer))
        {
            if (message.TryGetProperty("error", out var error))
            {
                answer.TrySetException(new JsonRpcErrorException(
                    error.TryGetProperty("code", out var code) && code.TryGetInt32(out var c) ? c : 0,
                    error.TryGetProperty("message", out var text) ? text.GetString() ?? "error" : "error"));
                return;
            }

            answer.TrySetResult(message.TryGetProperty("result", out var result) ? result.Clone() : default);
        }
    }

    // Headers and body are read as bytes from one buffered stream: Content-Length counts bytes.
    private async Task<byte[]?> ReadFrameAsync()
    {
        var length = -1;
        while (await ReadHeaderLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (length < 0) throw new IOException("A message came without a Content-Length header.");
                var body = new byte[length];
                await _reader.ReadExactlyAsync(body, _closing.Token);
                return body;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private async Task<string?> ReadHeaderLineAsync()
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await _reader.ReadAsync(one, _closing.Token) == 0)
            {
                return null;
            }

            if (one[0] == (byte)'\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await _stream.DisposeAsync();
        await Task.WhenAny(_reading, Task.Delay(TimeSpan.FromSeconds(5)));
        _closing.Dispose();
        _writing.Dispose();
    }
}
