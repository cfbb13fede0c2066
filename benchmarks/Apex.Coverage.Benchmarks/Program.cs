using BenchmarkDotNet.Running;

// `-- replay [runs] [seed]`: the selection replay over a simulated history (issue 16), not a BenchmarkDotNet run.
if (args is ["replay", .. var rest])
{
    await Apex.Coverage.Benchmarks.SelectionReplayBench.RunAsync(rest);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Apex.Coverage.Benchmarks.PlanBenchmarks).Assembly).Run(args);
