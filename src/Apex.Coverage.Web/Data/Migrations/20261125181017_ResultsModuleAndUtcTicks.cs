using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Apex.Coverage.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ResultsModuleAndUtcTicks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TestRuns_SuiteName_IdempotencyKey",
                table: "TestRuns");

            migrationBuilder.DropIndex(
                name: "IX_Quarantines_FullyQualifiedName",
                table: "Quarantines");

            migrationBuilder.DropIndex(
                name: "IX_ApiTokens_Name",
                table: "ApiTokens");

            migrationBuilder.AddColumn<string>(
                name: "SuiteName",
                table: "TestResults",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AlterColumn<long>(
                name: "RecordedAt",
                table: "RunCodeCoverage",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "ImportedAt",
                table: "PlanVersions",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            // A result's suite is its run's; timestamps stored as text become UTC ticks like all others
            // (a rebuilt SQLite table keeps the old text, so it is converted here).
            migrationBuilder.Sql("""UPDATE "TestResults" SET "SuiteName" = (SELECT r."SuiteName" FROM "TestRuns" r WHERE r."Id" = "TestResults"."RunId")""");
            migrationBuilder.Sql(TextToTicks("PlanVersions", "ImportedAt"));
            migrationBuilder.Sql(TextToTicks("RunCodeCoverage", "RecordedAt"));

            migrationBuilder.CreateIndex(
                name: "IX_TestRuns_SuiteName_IdempotencyKey",
                table: "TestRuns",
                columns: new[] { "SuiteName", "IdempotencyKey" },
                unique: true,
                filter: "\"IdempotencyKey\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_TestResults_SuiteName_FullyQualifiedName_RunId",
                table: "TestResults",
                columns: new[] { "SuiteName", "FullyQualifiedName", "RunId" });

            migrationBuilder.CreateIndex(
                name: "IX_Quarantines_FullyQualifiedName",
                table: "Quarantines",
                column: "FullyQualifiedName",
                unique: true,
                filter: "\"ReleasedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_Name",
                table: "ApiTokens",
                column: "Name",
                unique: true,
                filter: "\"RevokedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TestRuns_SuiteName_IdempotencyKey",
                table: "TestRuns");

            migrationBuilder.DropIndex(
                name: "IX_TestResults_SuiteName_FullyQualifiedName_RunId",
                table: "TestResults");

            migrationBuilder.DropIndex(
                name: "IX_Quarantines_FullyQualifiedName",
                table: "Quarantines");

            migrationBuilder.DropIndex(
                name: "IX_ApiTokens_Name",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "SuiteName",
                table: "TestResults");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "RecordedAt",
                table: "RunCodeCoverage",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "ImportedAt",
                table: "PlanVersions",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.Sql(TicksToText("PlanVersions", "ImportedAt"));
            migrationBuilder.Sql(TicksToText("RunCodeCoverage", "RecordedAt"));

            migrationBuilder.CreateIndex(
                name: "IX_TestRuns_SuiteName_IdempotencyKey",
                table: "TestRuns",
                columns: new[] { "SuiteName", "IdempotencyKey" },
                unique: true,
                filter: "IdempotencyKey IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Quarantines_FullyQualifiedName",
                table: "Quarantines",
                column: "FullyQualifiedName",
                unique: true,
                filter: "ReleasedAt IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_Name",
                table: "ApiTokens",
                column: "Name",
                unique: true,
                filter: "RevokedAt IS NULL");
        }

        // julianday('0001-01-01') is 1721425.5; SQLite's date functions keep milliseconds, so the
        // value is rounded to whole milliseconds (86,400,000 a day) and made ticks (10,000 each).
        private static string TextToTicks(string table, string column) =>
            $"""UPDATE "{table}" SET "{column}" = CAST(ROUND((julianday("{column}") - 1721425.5) * 86400000) AS INTEGER) * 10000 WHERE typeof("{column}") = 'text'""";

        private static string TicksToText(string table, string column) =>
            $"""UPDATE "{table}" SET "{column}" = strftime('%Y-%m-%d %H:%M:%f+00:00', "{column}" / 864000000000.0 + 1721425.5) WHERE "{column}" NOT LIKE '%-%'""";
    }
}
