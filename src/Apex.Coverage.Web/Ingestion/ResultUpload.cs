namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// A posted result file, decompressed and spooled to a temp file (deleted on dispose) so that it
/// can be parsed as a stream; <see cref="Sha256"/> is the hash of its decompressed bytes.
/// </summary>
public sealed class ResultUpload(Stream content, string sha256, long length, string? fileName) : IAsyncDisposable
{
    public Stream Content { get; } = content;

    public string Sha256 { get; } = sha256;

    public long Length { get; } = length;

    public string? FileName { get; } = fileName;

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
