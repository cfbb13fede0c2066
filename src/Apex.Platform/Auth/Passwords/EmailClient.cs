using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth.Passwords;

/// <summary>The external email service, over HTTP: POST /messages with sender, recipient, subject and text.</summary>
public sealed class EmailClient(HttpClient http, IOptions<PasswordOptions> options)
{
    public bool Configured => options.Value.EmailServiceUrl is not null;

    public async Task SendAsync(string to, string subject, string text, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var response = await http.PostAsJsonAsync(new Uri(settings.EmailServiceUrl!, "messages"),
            new { from = settings.EmailFrom, to, subject, text }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
