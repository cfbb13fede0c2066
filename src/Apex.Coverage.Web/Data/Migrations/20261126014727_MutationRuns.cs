using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Apex.Coverage.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class MutationRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MutationRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Suite = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    PlanItem = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Commit = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Since = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Scope = table.Column<string>(type: "TEXT", nullable: false),
                    Tested = table.Column<int>(type: "INTEGER", nullable: false),
                    ToTest = table.Column<int>(type: "INTEGER", nullable: false),
                    Killed = table.Column<int>(type: "INTEGER", nullable: false),
                    Survived = table.Column<int>(type: "INTEGER", nullable: false),
                    NoCoverage = table.Column<int>(type: "INTEGER", nullable: false),
                    Timeout = table.Column<int>(type: "INTEGER", nullable: false),
                    Message = table.Column<string>(type: "TEXT", nullable: true),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MutationRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MutationFiles",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Path = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Killed = table.Column<int>(type: "INTEGER", nullable: false),
                    Survived = table.Column<int>(type: "INTEGER", nullable: false),
                    NoCoverage = table.Column<int>(type: "INTEGER", nullable: false),
                    Timeout = table.Column<int>(type: "INTEGER", nullable: false),
                    CarriedOver = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MutationFiles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MutationFiles_MutationRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "MutationRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MutationSurvivors",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Path = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Line = table.Column<int>(type: "INTEGER", nullable: false),
                    Column = table.Column<int>(type: "INTEGER", nullable: false),
                    Mutator = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Replacement = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MutationSurvivors", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MutationSurvivors_MutationRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "MutationRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MutationFiles_RunId_Path",
                table: "MutationFiles",
                columns: new[] { "RunId", "Path" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MutationRuns_Suite_PlanItem_Status",
                table: "MutationRuns",
                columns: new[] { "Suite", "PlanItem", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_MutationSurvivors_RunId",
                table: "MutationSurvivors",
                column: "RunId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MutationFiles");

            migrationBuilder.DropTable(
                name: "MutationSurvivors");

            migrationBuilder.DropTable(
                name: "MutationRuns");
        }
    }
}
