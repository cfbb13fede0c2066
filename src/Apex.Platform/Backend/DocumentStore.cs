using Apex.Platform.Auth;
using Npgsql;

namespace Apex.Platform.Backend;

/// <summary>
/// Tenant data of the backend service. Every query is scoped by the caller's tenant: a document of
/// another tenant is indistinguishable from one that does not exist.
/// </summary>
public sealed class DocumentStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS documents (
            id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            owner_id uuid NOT NULL REFERENCES users(id),
            title text NOT NULL,
            body text NOT NULL,
            created_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS documents_tenant ON documents (tenant_id);
        """;

    public async Task<Document> CreateAsync(UserContext user, string title, string body, CancellationToken cancellationToken)
    {
        var document = new Document(Guid.NewGuid(), user.TenantId, user.UserId, title, body, time.GetUtcNow());
        await using var command = dataSource.CreateCommand(
            "INSERT INTO documents (id, tenant_id, owner_id, title, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)");
        foreach (var value in new object[] { document.Id, document.TenantId, document.OwnerId, title, body, document.CreatedAt })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
        return document;
    }

    public async Task<Document?> FindAsync(UserContext user, Guid id, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE tenant_id = $1 AND id = $2", [user.TenantId, id], cancellationToken)).SingleOrDefault();

    public Task<List<Document>> ListAsync(UserContext user, CancellationToken cancellationToken) =>
        QueryAsync("WHERE tenant_id = $1 ORDER BY created_at", [user.TenantId], cancellationToken);

    private async Task<List<Document>> QueryAsync(string where, object[] values, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT id, tenant_id, owner_id, title, body, created_at FROM documents {where}");
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var documents = new List<Document>();
        while (await reader.ReadAsync(cancellationToken))
        {
            documents.Add(new Document(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return documents;
    }
}

public sealed record Document(Guid Id, Guid TenantId, Guid OwnerId, string Title, string Body, DateTimeOffset CreatedAt);
