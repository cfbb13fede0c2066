using System.Net.Http.Json;

namespace Apex.Platform.Auth.Client;

/// <summary>
/// A signed-in client's tokens, for code that calls the platform (other services, SDK users). It
/// refreshes at most once at a time: whoever needs a fresh token while a refresh is under way
/// waits for that one. Refresh tokens rotate and a reused one ends the session on the server, so
/// two refreshes with the same token would sign the user out; this class makes that impossible.
/// </summary>
public sealed class ClientTokenSession(HttpClient authService, TimeProvider clock, AuthEndpoints.TokenResponse signedIn)
{
    private readonly Lock _gate = new();
    private AuthEndpoints.TokenResponse _current = signedIn;
    private Task<AuthEndpoints.TokenResponse?>? _refreshing;
    private bool _ended;
    private int _refreshes;
    private int _queued;

    public AuthEndpoints.TokenResponse Current { get { lock (_gate) return _current; } }

    /// <summary>Refreshes this client performed (calls to the auth service).</summary>
    public int Refreshes => Volatile.Read(ref _refreshes);

    /// <summary>Requests that waited for a refresh already under way instead of sending a stale token.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>A token to send now: the current one, or the result of the refresh under way, or a fresh one when it has expired by this client's clock.</summary>
    public async Task<string?> AccessTokenAsync(CancellationToken cancellationToken)
    {
        Task<AuthEndpoints.TokenResponse?>? pending;
        AuthEndpoints.TokenResponse current;
        lock (_gate)
        {
            // An ended session stays ended: no request goes out with a token the server has revoked.
            if (_ended) return null;
            (pending, current) = (_refreshing is { IsCompleted: false } r ? r : null, _current);
        }

        if (pending is not null)
        {
            Interlocked.Increment(ref _queued);
            return (await pending.WaitAsync(cancellationToken))?.AccessToken;
        }

        return current.ExpiresAt > clock.GetUtcNow() ? current.AccessToken : (await RefreshAsync(current.AccessToken, cancellationToken))?.AccessToken;
    }

    /// <summary>
    /// A token newer than <paramref name="stale"/>: if another caller already replaced it, that
    /// one; if a refresh is under way, its result; otherwise this call starts the refresh. Null
    /// when the session has ended and the user must sign in again.
    /// </summary>
    public Task<AuthEndpoints.TokenResponse?> RefreshAsync(string stale, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_ended) return Task.FromResult<AuthEndpoints.TokenResponse?>(null);
            if (_current.AccessToken != stale) return Task.FromResult<AuthEndpoints.TokenResponse?>(_current);
            if (_refreshing is not { IsCompleted: false }) _refreshing = RefreshCoreAsync(_current.RefreshToken!);
            return _refreshing.WaitAsync(cancellationToken);
        }
    }

    private async Task<AuthEndpoints.TokenResponse?> RefreshCoreAsync(string refreshToken)
    {
        Interlocked.Increment(ref _refreshes);
        // Not the caller's token: one caller giving up must not cancel the refresh others wait for.
        using var response = await authService.PostAsJsonAsync("auth/token/refresh", new { refreshToken }, CancellationToken.None);
        var fresh = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<AuthEndpoints.TokenResponse>() : null;
        lock (_gate)
        {
            if (fresh is null) _ended = true;
            else _current = fresh;
        }

        return fresh;
    }
}
