using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Apex.Coverage.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class CodeCoverage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RunCodeCoverage",
                columns: table => new
                {
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    LinesCovered = table.Column<int>(type: "INTEGER", nullable: false),
                    LinesValid = table.Column<int>(type: "INTEGER", nullable: false),
                    BranchesCovered = table.Column<int>(type: "INTEGER", nullable: false),
                    BranchesValid = table.Column<int>(type: "INTEGER", nullable: false),
                    Note = table.Column<string>(type: "TEXT", nullable: true),
                    RecordedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunCodeCoverage", x => x.RunId);
                    table.ForeignKey(
                        name: "FK_RunCodeCoverage_TestRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "TestRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FileCodeCoverage",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Module = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Path = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    LinesCovered = table.Column<int>(type: "INTEGER", nullable: false),
                    LinesValid = table.Column<int>(type: "INTEGER", nullable: false),
                    BranchesCovered = table.Column<int>(type: "INTEGER", nullable: false),
                    BranchesValid = table.Column<int>(type: "INTEGER", nullable: false),
                    UncoveredLines = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FileCodeCoverage", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FileCodeCoverage_RunCodeCoverage_RunId",
                        column: x => x.RunId,
                        principalTable: "RunCodeCoverage",
                        principalColumn: "RunId",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ModuleCodeCoverage",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Files = table.Column<int>(type: "INTEGER", nullable: false),
                    LinesCovered = table.Column<int>(type: "INTEGER", nullable: false),
                    LinesValid = table.Column<int>(type: "INTEGER", nullable: false),
                    BranchesCovered = table.Column<int>(type: "INTEGER", nullable: false),
                    BranchesValid = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModuleCodeCoverage", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ModuleCodeCoverage_RunCodeCoverage_RunId",
                        column: x => x.RunId,
                        principalTable: "RunCodeCoverage",
                        principalColumn: "RunId",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FileCodeCoverage_RunId_Path",
                table: "FileCodeCoverage",
                columns: new[] { "RunId", "Path" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ModuleCodeCoverage_RunId_Name",
                table: "ModuleCodeCoverage",
                columns: new[] { "RunId", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FileCodeCoverage");

            migrationBuilder.DropTable(
                name: "ModuleCodeCoverage");

            migrationBuilder.DropTable(
                name: "RunCodeCoverage");
        }
    }
}
