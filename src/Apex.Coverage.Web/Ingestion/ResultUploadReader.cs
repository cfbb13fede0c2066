using System.IO.Compression;
using System.Security.Cryptography;
using Apex.Coverage.Web.Results;
using Microsoft.AspNetCore.Http.Features;
using MinDataRate = Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Takes the file out of an upload request: a raw XML body or the first file of a multipart form,
/// gzip-decoded when Content-Encoding says so or the body itself is gzip, counted against the size limit after decoding (so a
/// gzip bomb stops at the limit), hashed and spooled to a temp file as it arrives.
/// </summary>
public sealed class ResultUploadReader(IOptions<IngestionOptions> options)
{
    // Multipart boundaries and headers come on top of the file itself.
    private const long MultipartOverhead = 64 * 1024;

    private static readonly string[] XmlMediaTypes = ["application/xml", "text/xml", "application/octet-stream"];

    public async Task<ResultUpload> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxBodyBytes;
        AllowBodyUpTo(request, limit + MultipartOverhead);
        RequireBodyRate(request, options.Value);
        if (request.ContentLength > limit + MultipartOverhead)
        {
            throw TooLarge(limit, $"The request says its body is {request.ContentLength} bytes.");
        }

        try
        {
            return await ReadFileAsync(request, limit, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit, "The server stopped reading the body at the limit.");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            throw TooSlow(ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Kestrel ends a read below the minimum data rate by cancelling it, the request itself alive.
            throw TooSlow(ex);
        }
    }

    private ResultFileException TooSlow(Exception ex) =>
        new(StatusCodes.Status408RequestTimeout, "Request body too slow",
            $"The body arrived slower than {options.Value.MinBodyBytesPerSecond} bytes per second after a grace period of "
            + $"{options.Value.BodyGracePeriod.TotalSeconds} s (settings Ingestion:MinBodyBytesPerSecond, Ingestion:BodyGracePeriod), "
            + "so the upload was stopped and nothing was stored. Post the file again from a faster link.", ex);

    // A body trickled a few bytes at a time would hold a request (and its spool file) open for hours.
    private static void RequireBodyRate(HttpRequest request, IngestionOptions options)
    {
        if (request.HttpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } feature)
        {
            feature.MinDataRate = new MinDataRate(options.MinBodyBytesPerSecond, options.BodyGracePeriod);
        }
    }

    private static void AllowBodyUpTo(HttpRequest request, long bytes)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = bytes;
        }
    }

    private static async Task<ResultUpload> ReadFileAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var gzip = IsGzip(request.Headers.ContentEncoding.ToString());
        if (string.IsNullOrEmpty(request.ContentType))
        {
            return await SpoolAsync(request.Body, null, gzip, limit, cancellationToken);
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType))
        {
            throw WrongType(request.ContentType);
        }

        if (mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadMultipartFileAsync(request, mediaType, gzip, limit, cancellationToken);
        }

        var type = mediaType.MediaType.Value ?? string.Empty;
        if (XmlMediaTypes.Contains(type, StringComparer.OrdinalIgnoreCase) || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase))
        {
            return await SpoolAsync(request.Body, null, gzip, limit, cancellationToken);
        }

        if (type.Equals("application/gzip", StringComparison.OrdinalIgnoreCase))
        {
            return await SpoolAsync(request.Body, null, true, limit, cancellationToken);
        }

        throw WrongType(request.ContentType);
    }

    // The first file part is spooled and the rest of the form read: a second file is refused rather
    // than silently dropped (the sender meant both to count).
    private static async Task<ResultUpload> ReadMultipartFileAsync(
        HttpRequest request, MediaTypeHeaderValue mediaType, bool gzip, long limit, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw ResultFileException.BadFile("Multipart body without a boundary", "The multipart/form-data Content-Type has no boundary; let curl -F or the HTTP client set it.");
        }

        var reader = new MultipartReader(boundary, request.Body);
        ResultUpload? upload = null;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!(ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition()))
                {
                    continue;
                }

                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                upload = upload is null
                    ? await SpoolAsync(section.Body, fileName, gzip || IsGzipPart(section, fileName), limit, cancellationToken)
                    : throw ResultFileException.BadFile("More than one file in the form",
                        $"The multipart form holds a second file ('{fileName}') after '{upload.FileName}'. Post one result file per request "
                        + "(merge them first, or make one upload per file).");
            }
        }
        catch
        {
            if (upload is not null)
            {
                await upload.DisposeAsync();
            }

            throw;
        }

        return upload ?? throw ResultFileException.BadFile("No file in the form",
            "The multipart form has no file part. Send the result file as a file field, for example: curl -F \"file=@TestResults/results.trx\" ...");
    }

    private static bool IsGzipPart(MultipartSection section, string? fileName) =>
        IsGzip(section.Headers?.GetValueOrDefault(HeaderNames.ContentEncoding).ToString())
        || string.Equals(section.ContentType, "application/gzip", StringComparison.OrdinalIgnoreCase)
        || (fileName?.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ?? false);

    private static async Task<ResultUpload> SpoolAsync(Stream body, string? fileName, bool gzip, long limit, CancellationToken cancellationToken)
    {
        var spool = NewSpool();
        try
        {
            await using var source = gzip ? new GZipStream(body, CompressionMode.Decompress, leaveOpen: true) : null;
            var (length, hash) = await CopyCountingAsync(source ?? body, spool, gzip, limit, cancellationToken);
            if (length == 0)
            {
                throw ResultFileException.BadFile("Empty body",
                    "The request body is empty. Post the result file itself, for example: curl --data-binary @TestResults/results.trx ...");
            }

            spool.Position = 0;
            return !gzip && await StartsWithGzipMagicAsync(spool, cancellationToken)
                ? await InflateAsync(spool, fileName, limit, cancellationToken)
                : new ResultUpload(spool, hash, length, fileName);
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }

    private static FileStream NewSpool() => new(SpoolSweeper.NewSpoolPath(),
        FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    // `gzip -c results.trx | curl --data-binary @-` without Content-Encoding: gzip is still a gzip
    // file (its first two bytes say so), and no XML file starts with them.
    private static async Task<bool> StartsWithGzipMagicAsync(FileStream spool, CancellationToken cancellationToken)
    {
        var magic = new byte[2];
        var read = await spool.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, cancellationToken);
        spool.Position = 0;
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    private static async Task<ResultUpload> InflateAsync(FileStream compressed, string? fileName, long limit, CancellationToken cancellationToken)
    {
        await using (compressed)
        {
            await using var source = new GZipStream(compressed, CompressionMode.Decompress);
            var spool = NewSpool();
            try
            {
                var (length, hash) = await CopyCountingAsync(source, spool, gzip: true, limit, cancellationToken);
                spool.Position = 0;
                return new ResultUpload(spool, hash, length, fileName);
            }
            catch
            {
                await spool.DisposeAsync();
                throw;
            }
        }
    }

    private static async Task<(long Length, string Hash)> CopyCountingAsync(Stream source, Stream target, bool gzip, long limit, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long length = 0;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                length += read;
                if (length > limit)
                {
                    throw TooLarge(limit, gzip ? "It is gzip-encoded and grows past the limit when decompressed." : "The body is larger.");
                }

                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (InvalidDataException ex) when (gzip)
        {
            throw ResultFileException.BadFile("Body is not valid gzip",
                $"The upload is gzip-encoded (by its Content-Encoding or its first bytes) but could not be decompressed ({ex.Message}). Send plain XML, or gzip the whole file (gzip -c results.trx).", ex);
        }

        return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static bool IsGzip(string? contentEncoding)
    {
        var encoding = contentEncoding?.Trim() ?? string.Empty;
        if (encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)
            ? true
            : throw new ResultFileException(StatusCodes.Status415UnsupportedMediaType, "Content-Encoding not supported",
                $"Content-Encoding '{encoding}' is not supported; send the file plain or gzip-encoded (Content-Encoding: gzip).");
    }

    private static ResultFileException WrongType(string contentType) =>
        new(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
            $"Content-Type '{contentType}' is not a result file. Send the TRX or JUnit XML with 'Content-Type: application/xml' "
            + "(curl -H \"Content-Type: application/xml\" --data-binary @results.trx), or as a multipart file (curl -F \"file=@results.trx\").");

    private static ResultFileException TooLarge(long limit, string why) =>
        new(StatusCodes.Status413PayloadTooLarge, "Result file too large",
            $"Result files are accepted up to {limit} bytes ({limit / (1024.0 * 1024):0.#} MB, setting Ingestion:MaxBodyBytes). {why} "
            + "Split the test run into several uploads, or raise the limit on the dashboard.");
}
