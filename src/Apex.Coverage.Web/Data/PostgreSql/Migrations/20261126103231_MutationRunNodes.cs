using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Apex.Coverage.Web.Data.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class MutationRunNodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Node",
                table: "MutationRuns",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            // A store that already holds two running runs of one suite (the race this index closes)
            // keeps the oldest running; the others end failed, as the start-up recovery would end them.
            migrationBuilder.Sql(
                "UPDATE \"MutationRuns\" SET \"Status\" = 'failed', \"Message\" = 'The dashboard stopped during the run.' " +
                "WHERE \"Status\" = 'running' AND \"Id\" NOT IN (SELECT MIN(\"Id\") FROM \"MutationRuns\" WHERE \"Status\" = 'running' GROUP BY \"Suite\")");

            migrationBuilder.CreateIndex(
                name: "IX_MutationRuns_OneRunningPerSuite",
                table: "MutationRuns",
                column: "Suite",
                unique: true,
                filter: "\"Status\" = 'running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MutationRuns_OneRunningPerSuite",
                table: "MutationRuns");

            migrationBuilder.DropColumn(
                name: "Node",
                table: "MutationRuns");
        }
    }
}
