namespace Apex.Platform.Data;

/// <summary>
/// A capability's tables, as idempotent DDL (CREATE ... IF NOT EXISTS). Each capability registers
/// its own with <see cref="DataServiceCollectionExtensions.AddSchema"/>; they run in order at start.
/// </summary>
public sealed record SchemaScript(int Order, string Name, string Sql);
