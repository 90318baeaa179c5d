using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using OrleansTenancy.Benchmarks.Calls;
using OrleansTenancy.Benchmarks.Cluster;
using OrleansTenancy.Benchmarks.Gateway;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Benchmarks.Journal;
using OrleansTenancy.Benchmarks.Memory;
using OrleansTenancy.Benchmarks.Reservations;
using OrleansTenancy.Benchmarks.State;

const string Usage = """
    usage:
      calls                                   grain call micro-benchmarks (BenchmarkDotNet, short in-process job)
      reservations --store sqlite|postgres|postgres-batched|memory --tenants N --duration S --concurrency C [--warmup S] [--postgres CONN]
      memory [--count N] [--hold S]           bytes held per idle activation (empty grain, TenantGrain); --hold keeps them for a heap snapshot
      state-size [--open N]                   size and serialisation time of one tenant's persisted state
      gateway [--rates 500,1000,2000] [--steps 500,...] [--duration S] [--warmup S] [--p99-bound MS] [--silo DLL] [--tenants DIR] [--silo-env NAME=VALUE,...] [--upstream URL] [--pacing due-time|timer-ticks]
                                              gateway's added latency against the OpenRouter simulator (run from the repository root)
      cross-silo [--silos 1,2,3] [--rounds 5] [--duration S] [--warmup S] [--concurrency C] [--grains N]
                                              grain calls from silo to silo in an in-process cluster, against raw loopback TCP
      cross-silo-processes [--silos 1,2,3] [--rounds 3] [--duration S] [--warmup S] [--concurrency C] [--grains N]
                                              the same with each silo a process of its own, against raw TCP between two processes
      gateway-spread [--rate R] [--steps 100,200,...] [--rounds 3] [--duration S] [--warmup S] [--p99-bound MS] [--silo DLL]
                                              HTTP chat calls through 1 silo process and spread over 2 (deploy/local/cluster.sh), same run
      client-gateway [--silos 1,2] [--rounds 5] [--duration S] [--warmup S] [--concurrency C] [--tenants N] [--postgres CONN]
                                              chat calls through the Orleans gateways of 1 and 2 in-process silos, from OrleansTenancy.Client
      gateway-ab [--silo-a DLL] [--silo-b DLL] [--a NAME=VALUE,...] [--b NAME=VALUE,...] [--rate R] [--rounds N] [--duration S] [--warmup S] [--pacing ...]
                 [--steps 2000,3000,... [--step-rounds N] [--p99-bound MS]]
                                              two silos (builds or configurations) side by side, rounds of direct/A/B phases,
                                              then rounds of an interleaved step-up to each side's highest sustainable rate
      journal [--rate 3000] [--duration S] [--rounds N] [--folder DIR]
                                              the single silo's settlement journal alone: saves at a fixed rate, time from
                                              each save's call to its completion (p50 … max), after a warm-up round
      failover [--membership redis,postgres] [--kills N] [--callers C] [--baseline true|false] [--silo DLL]
                                              SIGKILL one of 3 silo processes N times per membership: seconds until calls
                                              through the survivors succeed again, tuned and with Orleans' defaults
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
    case "cross-silo":
        return await CrossSiloCommand.RunAsync(rest);
    case "cross-silo-processes":
        return await CrossSiloProcessesCommand.RunAsync(rest);
    case "cross-silo-member":
        return await CrossSiloProcessesCommand.MemberAsync(rest);
    case "gateway-spread":
        return await GatewaySpreadCommand.RunAsync(rest);
    case "client-gateway":
        return await ClientGatewayCommand.RunAsync(rest);
    case "gateway-ab":
        return await GatewayCompareCommand.RunAsync(rest);
    case "journal":
        return await JournalCommand.RunAsync(rest);
    case "failover":
        return await FailoverCommand.RunAsync(rest);
    default:
        Console.Error.WriteLine($"Unknown mode '{args[0]}'.");
        Console.Error.WriteLine(Usage);
        return 2;
}
