using Apex.Platform.Realtime.Hub;
using Npgsql;

namespace Apex.Platform.Realtime.Storage;

/// <summary>
/// "notes.save": a note and its tags written from a socket in the message's own transaction. A
/// tag the schema refuses (longer than 32 characters) fails the message after the note row was
/// written; the transaction takes the note back with it, and the client gets an error frame.
/// </summary>
internal sealed class NotesHandler : IHubHandler
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS realtime_notes (
            id uuid PRIMARY KEY, tenant_id uuid NOT NULL, user_id uuid NOT NULL, title text NOT NULL, body text NOT NULL,
            txid bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS realtime_note_tags (
            note_id uuid NOT NULL REFERENCES realtime_notes(id) ON DELETE CASCADE,
            tag text NOT NULL CHECK (length(tag) BETWEEN 1 AND 32),
            PRIMARY KEY (note_id, tag));
        """;

    public IReadOnlyCollection<string> Types { get; } = ["notes.save"];

    public async Task HandleAsync(HubMessage message)
    {
        var note = message.Frame.DataAs<NoteRequest>();
        if (note is null || string.IsNullOrWhiteSpace(note.Title)) throw new HubException("bad-note", "A note needs a title.");
        var transaction = message.Services.GetRequiredService<MessageTransaction>();
        var id = Guid.NewGuid();
        long txid;
        await using (var insert = await transaction.CommandAsync(
            "INSERT INTO realtime_notes (id, tenant_id, user_id, title, body, txid) VALUES ($1, $2, $3, $4, $5, txid_current()) RETURNING txid", message.Aborted))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = id });
            insert.Parameters.Add(new NpgsqlParameter { Value = message.Connection.User.TenantId });
            insert.Parameters.Add(new NpgsqlParameter { Value = message.Connection.User.UserId });
            insert.Parameters.Add(new NpgsqlParameter { Value = note.Title });
            insert.Parameters.Add(new NpgsqlParameter { Value = note.Body ?? string.Empty });
            txid = (long)(await insert.ExecuteScalarAsync(message.Aborted))!;
        }

        foreach (var tag in note.Tags ?? []) await InsertTagAsync(transaction, id, tag, message.Aborted);
        await transaction.CommitAsync(message.Aborted);
        message.Reply(HubFrame.Of("notes.saved", new { id, txid }, message.Frame.Id));
    }

    private static async Task InsertTagAsync(MessageTransaction transaction, Guid noteId, string tag, CancellationToken cancellationToken)
    {
        await using var command = await transaction.CommandAsync("INSERT INTO realtime_note_tags (note_id, tag) VALUES ($1, $2)", cancellationToken);
        command.Parameters.Add(new NpgsqlParameter { Value = noteId });
        command.Parameters.Add(new NpgsqlParameter { Value = tag });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record NoteRequest(string? Title, string? Body, string[]? Tags);
}
