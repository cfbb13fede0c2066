using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Apex.Coverage.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class UploadAuthority : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ProcessMarker",
                table: "TestRuns",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UploadSha256",
                table: "TestRuns",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ClaimedAt",
                table: "DiscoveredTests",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ClaimedByRunId",
                table: "DiscoveredTests",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClaimedPlanItems",
                table: "DiscoveredTests",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "MappedByDiscovery",
                table: "DiscoveredTests",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // Rows discovery wrote carry the test assembly as their source; uploads carry a file name
            // (or "CI upload"). The next discovery sets the flag for certain either way.
            migrationBuilder.Sql("UPDATE \"DiscoveredTests\" SET \"MappedByDiscovery\" = 1 WHERE \"Source\" LIKE '%.dll'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ProcessMarker",
                table: "TestRuns");

            migrationBuilder.DropColumn(
                name: "UploadSha256",
                table: "TestRuns");

            migrationBuilder.DropColumn(
                name: "ClaimedAt",
                table: "DiscoveredTests");

            migrationBuilder.DropColumn(
                name: "ClaimedByRunId",
                table: "DiscoveredTests");

            migrationBuilder.DropColumn(
                name: "ClaimedPlanItems",
                table: "DiscoveredTests");

            migrationBuilder.DropColumn(
                name: "MappedByDiscovery",
                table: "DiscoveredTests");
        }
    }
}
