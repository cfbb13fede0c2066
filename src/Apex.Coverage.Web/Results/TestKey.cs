namespace Apex.Coverage.Web.Results;

/// <summary>
/// What a test is: its suite and its fully qualified name. Two suites with a test of the same name
/// are two tests; a CI upload and a dashboard run of one test in one suite meet on this key.
/// Ordered ordinally by suite, then name (the order of the store's index).
/// </summary>
public readonly record struct TestKey(string Suite, string FullyQualifiedName) : IComparable<TestKey>
{
    public int CompareTo(TestKey other)
    {
        var suite = string.CompareOrdinal(Suite, other.Suite);
        return suite != 0 ? suite : string.CompareOrdinal(FullyQualifiedName, other.FullyQualifiedName);
    }

    public override string ToString() => $"{Suite}:{FullyQualifiedName}";
}
