namespace Apex.Coverage.Tests.Standards;

/// <summary>A suite's source folder in a temp folder: item 1's class lacks a BVJ field, item 2's is compliant.</summary>
internal sealed class StandardsSource : IDisposable
{
    public const string Bvj = "[BusinessValue(\"Enterprise\", \"Retention\", \"$5K MRR\", \"Trust\")]";

    public string Root { get; } = Directory.CreateTempSubdirectory("apex-standards").FullName;

    public string Project => Path.Combine(Root, "suite", "Std.csproj");

    public StandardsSource()
    {
        Write("suite/Std.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup>\n    <PackageReference Include=\"Moq\" />\n  </ItemGroup>\n</Project>\n");
        Write("suite/Auth/ItemOneTests.cs", "[PlanItem(1)]\n[BusinessValue(\"Enterprise\", \"Retention\", \"$5K MRR\")]\npublic sealed class ItemOneTests { }\n");
        Write("suite/Auth/ItemTwoTests.cs", $"[PlanItem(2)]\n{Bvj}\npublic sealed class ItemTwoTests {{ }}\n");
        Write("suite/bin/Debug/Generated.cs", "using Moq;\n");
    }

    public void Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
