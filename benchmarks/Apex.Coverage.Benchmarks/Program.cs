using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Apex.Coverage.Benchmarks.PlanBenchmarks).Assembly).Run(args);
