using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace JwtAuth.Benchmarks;

public static class Program
{
    /// <summary>Runs the benchmarks BenchmarkDotNet's arguments select; exits with 1 when any of them failed,
    /// so a dry run in CI catches a benchmark that no longer builds, sets up or runs.</summary>
    public static int Main(string[] args)
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToList();
        if (summaries.Count == 0)
        {
            // --list, --help, or a filter that matched nothing: there is no run to judge.
            return 0;
        }
        var total = summaries.Sum(s => s.BenchmarksCases.Length);
        var failed = summaries.Sum(Failures);
        Console.WriteLine($"benchmarks: {total - failed} succeeded, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static int Failures(Summary summary)
    {
        if (summary.HasCriticalValidationErrors)
        {
            return Math.Max(1, summary.BenchmarksCases.Length);
        }
        return summary.BenchmarksCases.Count(benchmark => summary[benchmark] is not { Success: true });
    }
}
