using Apex.Coverage.Web.Alerts;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public partial class CoverageDbContext
{
    public DbSet<Webhook> Webhooks => Set<Webhook>();

    public DbSet<AlertDelivery> AlertDeliveries => Set<AlertDelivery>();

    public DbSet<AlertMark> AlertMarks => Set<AlertMark>();
}
