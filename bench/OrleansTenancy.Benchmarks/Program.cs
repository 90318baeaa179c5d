using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using OrleansTenancy.Benchmarks.Calls;
using OrleansTenancy.Benchmarks.Gateway;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Benchmarks.Memory;
using OrleansTenancy.Benchmarks.Reservations;
using OrleansTenancy.Benchmarks.State;

const string Usage = """
    usage:
      calls                                   grain call micro-benchmarks (BenchmarkDotNet, short in-process job)
      reservations --store sqlite|postgres --tenants N --duration S --concurrency C [--warmup S] [--postgres CONN]
      memory [--count N]                      bytes held per idle activation (empty grain, TenantGrain)
      state-size [--open N]                   size and serialisation time of one tenant's persisted state
      gateway [--rates 500,1000,2000] [--steps 500,...] [--duration S] [--warmup S] [--p99-bound MS] [--silo DLL] [--tenants DIR] [--silo-env NAME=VALUE,...] [--upstream URL] [--pacing due-time|timer-ticks]
                                              gateway's added latency against the OpenRouter simulator (run from the repository root)
      gateway-ab --a NAME=VALUE,... --b NAME=VALUE,... [--rate R] [--rounds N] [--duration S] [--warmup S] [--pacing ...]
                                              two silo configurations side by side, rounds of direct/A/B phases
    """;

if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var rest = new Arguments(args.Skip(1));
switch (args[0])
{
    case "calls":
        // In-process: no generated project to build (the machine is shared); a short job keeps a run near a minute.
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inprocess");
        var summary = BenchmarkRunner.Run<GrainCallBenchmarks>(DefaultConfig.Instance.AddJob(job));
        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    case "reservations":
        return await ReservationCommand.RunAsync(rest);
    case "memory":
        return await ActivationMemory.RunAsync(rest);
    case "state-size":
        return StateSizeCommand.Run(rest);
    case "gateway":
        return await GatewayCommand.RunAsync(rest);
    case "gateway-ab":
        return await GatewayCompareCommand.RunAsync(rest);
    default:
        Console.Error.WriteLine($"Unknown mode '{args[0]}'.");
        Console.Error.WriteLine(Usage);
        return 2;
}
