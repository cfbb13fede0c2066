using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Apex.Coverage.Web.Runs;

/// <summary>A dashboard node sharing the store, and when it last said it was alive.</summary>
public sealed class DashboardNode
{
    /// <summary>Nodes:Name; stable across restarts of one node, distinct between nodes.</summary>
    public required string Name { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset HeartbeatAt { get; set; }
}

internal sealed class DashboardNodeConfiguration : IEntityTypeConfiguration<DashboardNode>
{
    public void Configure(EntityTypeBuilder<DashboardNode> builder)
    {
        builder.HasKey(n => n.Name);
        builder.Property(n => n.Name).HasMaxLength(200);
    }
}
