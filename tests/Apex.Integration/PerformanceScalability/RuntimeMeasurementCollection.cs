namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// The tests that measure the whole process — its reachable heap, its CPU samples, its GC
/// pauses — run alone, after the parallel classes, so another class's host starting or stopping
/// does not become part of the measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RuntimeMeasurementCollection
{
    public const string Name = "runtime-measurements";
}
