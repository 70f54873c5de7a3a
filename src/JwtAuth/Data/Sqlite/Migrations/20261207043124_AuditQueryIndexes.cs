using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace JwtAuth.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AuditQueryIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Type_Id",
                table: "AuditEvents",
                columns: new[] { "Type", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_UserId_Id",
                table: "AuditEvents",
                columns: new[] { "UserId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Type_Id",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_UserId_Id",
                table: "AuditEvents");
        }
    }
}
