using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Apex.Coverage.Web.Data.PostgreSql.Migrations
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Suite = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    PlanItem = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Source = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Since = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Scope = table.Column<string>(type: "text", nullable: false),
                    Tested = table.Column<int>(type: "integer", nullable: false),
                    ToTest = table.Column<int>(type: "integer", nullable: false),
                    Killed = table.Column<int>(type: "integer", nullable: false),
                    Survived = table.Column<int>(type: "integer", nullable: false),
                    NoCoverage = table.Column<int>(type: "integer", nullable: false),
                    Timeout = table.Column<int>(type: "integer", nullable: false),
                    Message = table.Column<string>(type: "text", nullable: true),
                    RequestedAt = table.Column<long>(type: "bigint", nullable: false),
                    StartedAt = table.Column<long>(type: "bigint", nullable: true),
                    FinishedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MutationRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MutationFiles",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RunId = table.Column<long>(type: "bigint", nullable: false),
                    Path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    Killed = table.Column<int>(type: "integer", nullable: false),
                    Survived = table.Column<int>(type: "integer", nullable: false),
                    NoCoverage = table.Column<int>(type: "integer", nullable: false),
                    Timeout = table.Column<int>(type: "integer", nullable: false),
                    CarriedOver = table.Column<bool>(type: "boolean", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RunId = table.Column<long>(type: "bigint", nullable: false),
                    Path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    Line = table.Column<int>(type: "integer", nullable: false),
                    Column = table.Column<int>(type: "integer", nullable: false),
                    Mutator = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Replacement = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
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
