using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Data.ClickHouse;

/// <summary>
/// ClickHouse over its HTTP interface, the one interface every version since 2016 serves: rows go
/// in and come out as JSONEachRow, so values never pass through SQL text. No driver needed.
/// </summary>
public sealed class ClickHouseHttpClient(HttpClient http, IOptions<ClickHouseOptions> options)
{
    // ClickHouse quotes 64-bit integers in JSON output by default, so numbers may arrive as strings.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public Task ExecuteAsync(string sql, CancellationToken cancellationToken) => SendAsync(sql, body: null, cancellationToken);

    /// <summary>Inserts rows as one block; property names become columns in snake_case.</summary>
    public Task InsertAsync<T>(string table, IEnumerable<T> rows, CancellationToken cancellationToken)
    {
        var body = new StringBuilder();
        foreach (var row in rows) body.Append(JsonSerializer.Serialize(row, Json)).Append('\n');
        return SendAsync($"INSERT INTO {table} FORMAT JSONEachRow", body.ToString(), cancellationToken);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, CancellationToken cancellationToken)
    {
        var text = await SendAsync($"{sql} FORMAT JSONEachRow", body: null, cancellationToken);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonSerializer.Deserialize<T>(line, Json)!)];
    }

    /// <summary>A string literal for SQL text: ClickHouse's quoting, backslash and quote escaped.</summary>
    public static string Literal(string value) =>
        string.Create(CultureInfo.InvariantCulture, $"'{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'");

    private async Task<string> SendAsync(string query, string? body, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // With a body, the statement travels in the URL and the body carries the rows.
        var uri = new Uri(new Uri(settings.Endpoint), $"?database={Uri.EscapeDataString(settings.Database)}"
            + (body is null ? string.Empty : $"&query={Uri.EscapeDataString(query)}"));
        using var content = new StringContent(body ?? query, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var response = await http.PostAsync(uri, content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? text
            : throw new ClickHouseException($"ClickHouse answered {(int)response.StatusCode}: {text.Trim()}");
    }
}

/// <summary>ClickHouse refused a statement (as opposed to not answering, an <see cref="HttpRequestException"/>).</summary>
public sealed class ClickHouseException(string message) : Exception(message);
