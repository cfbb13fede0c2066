using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Apex.Coverage.Web.Standards;

/// <summary>
/// Reads the test classes of a file from its syntax: a class is an item's test class when it (or
/// one of its methods) carries <c>[PlanItem(n)]</c> or <c>[Trait("PlanId", "n")]</c>, the same two
/// forms the dashboard maps discovered tests by. Its BVJ is a <c>[BusinessValue(...)]</c> attribute
/// (positional arguments in the plan's field order, or named by field) or one trait per field.
/// </summary>
internal static class TestClassReader
{
    private const string PlanIdTrait = "planid";

    public static IReadOnlyList<int> PlanItems(ClassDeclarationSyntax type)
    {
        var attributes = type.AttributeLists.SelectMany(l => l.Attributes)
            .Concat(type.Members.OfType<MethodDeclarationSyntax>().SelectMany(m => m.AttributeLists).SelectMany(l => l.Attributes));
        return [.. attributes.SelectMany(NumbersOf).Distinct().Order()];
    }

    /// <summary>The BVJ fields the class does not fill, in the plan's order.</summary>
    public static IReadOnlyList<string> MissingBvjFields(ClassDeclarationSyntax type, IReadOnlyList<string> fields)
    {
        var filled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in type.AttributeLists.SelectMany(l => l.Attributes))
        {
            var name = NameOf(attribute);
            if (name == "BusinessValue")
            {
                filled.UnionWith(BusinessValueKeys(attribute, fields));
            }
            else if (name == "Trait" && TraitOf(attribute) is ({ } key, { Length: > 0 }))
            {
                filled.Add(StandardsRules.Key(key));
            }
        }

        return [.. fields.Where(f => !filled.Contains(StandardsRules.Key(f)))];
    }

    public static string NameOf(AttributeSyntax attribute)
    {
        var name = attribute.Name switch
        {
            QualifiedNameSyntax q => q.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
            SimpleNameSyntax s => s.Identifier.ValueText,
            _ => attribute.Name.ToString(),
        };
        return name.EndsWith("Attribute", StringComparison.Ordinal) ? name[..^"Attribute".Length] : name;
    }

    private static IEnumerable<string> BusinessValueKeys(AttributeSyntax attribute, IReadOnlyList<string> fields)
    {
        var arguments = attribute.ArgumentList?.Arguments ?? default;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (!HasValue(argument.Expression))
            {
                continue;
            }

            var named = argument.NameColon?.Name.Identifier.ValueText ?? argument.NameEquals?.Name.Identifier.ValueText;
            if (named is not null)
            {
                yield return StandardsRules.Key(named);
            }
            else if (i < fields.Count)
            {
                yield return StandardsRules.Key(fields[i]);
            }
        }
    }

    private static IEnumerable<int> NumbersOf(AttributeSyntax attribute)
    {
        var name = NameOf(attribute);
        if (name == "PlanItem")
        {
            return (attribute.ArgumentList?.Arguments ?? default)
                .Select(a => a.Expression).OfType<LiteralExpressionSyntax>()
                .Where(l => l.Token.Value is int).Select(l => (int)l.Token.Value!);
        }

        return name == "Trait" && TraitOf(attribute) is ({ } key, { } value) && StandardsRules.Key(key) == PlanIdTrait
            ? value.Split(',', StringSplitOptions.TrimEntries).Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).Where(n => n > 0)
            : [];
    }

    private static (string? Key, string? Value) TraitOf(AttributeSyntax attribute)
    {
        var arguments = attribute.ArgumentList?.Arguments ?? default;
        return arguments.Count == 2 ? (Text(arguments[0].Expression), Text(arguments[1].Expression)) : (null, null);
    }

    private static string? Text(ExpressionSyntax expression) => expression switch
    {
        LiteralExpressionSyntax { Token.Value: string s } => s,
        MemberAccessExpressionSyntax m => m.Name.Identifier.ValueText,
        IdentifierNameSyntax i => i.Identifier.ValueText,
        _ => expression.ToString(),
    };

    /// <summary>A blank literal fills no field; a constant or an expression is taken as filled.</summary>
    private static bool HasValue(ExpressionSyntax expression) =>
        expression is not LiteralExpressionSyntax literal
        || (literal.IsKind(SyntaxKind.StringLiteralExpression) && !string.IsNullOrWhiteSpace(literal.Token.ValueText))
        || (!literal.IsKind(SyntaxKind.StringLiteralExpression) && !literal.IsKind(SyntaxKind.NullLiteralExpression));
}
