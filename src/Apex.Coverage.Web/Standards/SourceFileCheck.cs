using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Apex.Coverage.Web.Standards;

/// <summary>
/// Checks one C# file of a suite against the plan's rules, from its syntax tree alone (no build):
/// its length, each function's length, each test class's BVJ, and any reference to a mocking
/// library. A finding belongs to the test class around it, or to every test class of the file for
/// the file's own length; code outside any test class is shared code no item owns.
/// </summary>
internal sealed class SourceFileCheck(StandardsRules rules, IReadOnlyList<string> mockingLibraries)
{
    public (IReadOnlyList<CheckedTestClass> Classes, IReadOnlyList<StandardFinding> Findings) Check(string text, string path)
    {
        var root = CSharpSyntaxTree.ParseText(text, path: path).GetCompilationUnitRoot();
        var classes = root.DescendantNodes().OfType<ClassDeclarationSyntax>()
            .Select(c => (Syntax: c, Items: TestClassReader.PlanItems(c)))
            .Where(c => c.Items.Count > 0)
            .ToList();
        var checkedClasses = classes.Select(c => new CheckedTestClass(c.Syntax.Identifier.ValueText, path, LineOf(c.Syntax.Identifier), c.Items)).ToList();
        var findings = new List<StandardFinding>();
        findings.AddRange(FileLength(root, path, classes));
        findings.AddRange(classes.SelectMany(c => Bvj(c.Syntax, c.Items, path)));
        findings.AddRange(FunctionLengths(root, path));
        findings.AddRange(Mocking(root, path));
        return (checkedClasses, findings);
    }

    private IEnumerable<StandardFinding> FileLength(
        CompilationUnitSyntax root, string path, IReadOnlyList<(ClassDeclarationSyntax Syntax, IReadOnlyList<int> Items)> classes)
    {
        var lines = root.SyntaxTree.GetText().Lines.Count;
        if (rules.FileLineLimit is not { } limit || lines <= limit)
        {
            yield break;
        }

        IReadOnlyList<int> items = [.. classes.SelectMany(c => c.Items).Distinct().Order()];
        yield return new StandardFinding(StandardRule.FileLength, path, 1, classes.FirstOrDefault().Syntax?.Identifier.ValueText, items,
            $"The file has {lines} lines; the plan's limit is {limit}.");
    }

    private IEnumerable<StandardFinding> Bvj(ClassDeclarationSyntax type, IReadOnlyList<int> items, string path)
    {
        if (rules.BvjFields.Count == 0 || TestClassReader.MissingBvjFields(type, rules.BvjFields) is not { Count: > 0 } missing)
        {
            yield break;
        }

        yield return new StandardFinding(StandardRule.Bvj, path, LineOf(type.Identifier), type.Identifier.ValueText, items,
            $"Its Business Value Justification lacks {string.Join(", ", missing)}.");
    }

    private IEnumerable<StandardFinding> FunctionLengths(CompilationUnitSyntax root, string path)
    {
        if (rules.FunctionLineLimit is not { } limit)
        {
            yield break;
        }

        foreach (var function in root.DescendantNodes().Where(IsFunction))
        {
            var (first, lines) = FunctionLines(function);
            if (lines > limit)
            {
                var (owner, items) = Owner(function);
                yield return new StandardFinding(StandardRule.FunctionLength, path, first, owner, items,
                    $"{FunctionName(function)} has {lines} lines; the plan's limit is {limit}.");
            }
        }
    }

    private IEnumerable<StandardFinding> Mocking(CompilationUnitSyntax root, string path)
    {
        if (!rules.RealComponentsOnly)
        {
            yield break;
        }

        var names = root.DescendantNodes().OfType<UsingDirectiveSyntax>().Where(u => u.Name is not null).Select(u => (Node: (SyntaxNode)u, Name: u.Name!.ToString()))
            .Concat(root.DescendantNodes().OfType<QualifiedNameSyntax>().Where(q => q.Parent is not QualifiedNameSyntax and not UsingDirectiveSyntax).Select(q => (Node: (SyntaxNode)q, Name: q.ToString())))
            .Concat(root.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Where(m => m.Expression is IdentifierNameSyntax)
                .Select(m => (Node: (SyntaxNode)m, Name: $"{m.Expression}.{m.Name.Identifier.ValueText}")));
        foreach (var (node, name) in names)
        {
            if (MockingLibrary(name) is { } library)
            {
                var (owner, items) = Owner(node);
                yield return new StandardFinding(StandardRule.Mocking, path, LineOf(node.GetFirstToken()), owner, items,
                    $"References the mocking library {library}; the plan asks for real internal components.");
            }
        }
    }

    private string? MockingLibrary(string name) => mockingLibraries.FirstOrDefault(l =>
        name.Equals(l, StringComparison.Ordinal) || name.StartsWith(l + ".", StringComparison.Ordinal));

    private static bool IsFunction(SyntaxNode node) => node switch
    {
        BaseMethodDeclarationSyntax m => m.Body is not null || m.ExpressionBody is not null,
        LocalFunctionStatementSyntax => true,
        AccessorDeclarationSyntax a => a.Body is not null || a.ExpressionBody is not null,
        _ => false,
    };

    /// <summary>
    /// Its lines of code, as Sonar's S138 counts them: from the signature (attributes left out) to the
    /// closing brace, blank lines and lines holding only a comment left out (docs/adr/0210).
    /// </summary>
    internal static (int First, int Lines) FunctionLines(SyntaxNode function)
    {
        var attributes = function switch
        {
            BaseMethodDeclarationSyntax m => m.AttributeLists,
            LocalFunctionStatementSyntax l => l.AttributeLists,
            AccessorDeclarationSyntax a => a.AttributeLists,
            _ => default,
        };
        var start = attributes.Count > 0 ? attributes.Last().GetLastToken().GetNextToken() : function.GetFirstToken();
        var first = LineOf(start);
        var last = LineOf(function.GetLastToken());
        var code = new HashSet<int>();
        foreach (var token in function.DescendantTokens().Where(t => t.SpanStart >= start.SpanStart))
        {
            var span = token.GetLocation().GetLineSpan();
            for (var line = span.StartLinePosition.Line; line <= span.EndLinePosition.Line; line++)
            {
                code.Add(line + 1);
            }
        }

        return (first, code.Count(l => l >= first && l <= last));
    }

    private static string FunctionName(SyntaxNode function) => function switch
    {
        MethodDeclarationSyntax m => m.Identifier.ValueText,
        ConstructorDeclarationSyntax c => $"The constructor of {c.Identifier.ValueText}",
        LocalFunctionStatementSyntax l => l.Identifier.ValueText,
        AccessorDeclarationSyntax a => $"The {a.Keyword.ValueText} accessor",
        _ => "A function",
    };

    /// <summary>The innermost test class around a node, with its items; none for shared code.</summary>
    private static (string? Owner, IReadOnlyList<int> Items) Owner(SyntaxNode node)
    {
        foreach (var type in node.Ancestors().OfType<ClassDeclarationSyntax>())
        {
            if (TestClassReader.PlanItems(type) is { Count: > 0 } items)
            {
                return (type.Identifier.ValueText, items);
            }
        }

        return (null, []);
    }

    private static int LineOf(SyntaxToken token) => token.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
}
