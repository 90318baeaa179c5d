using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.Benchmarks.Calls;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Benchmarks.Reservations;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Alerts;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy.Alerts;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Benchmarks.Memory;

/// <summary>
/// <c>memory [--count N] [--hold S]</c>: managed heap held per idle activation. Activates N empty grains, then N
/// <see cref="ITenantGrain"/>s (one <c>GetStatusAsync</c> each), and reports the live-heap growth after a full
/// blocking, compacting collection divided by N. The registry of N tenants is built before the first measurement,
/// so it is not counted; in-memory grain storage keeps nothing for grains that never write. <c>--hold S</c> keeps the
/// silo and its activations for S seconds after the report, so that a heap snapshot can be taken
/// (<c>dotnet-gcdump collect -p PID</c>, then <c>dotnet-gcdump report</c>) to see which types the bytes are.
/// </summary>
public static class ActivationMemory
{
    private const int Batch = 1000;

    public static async Task<int> RunAsync(Arguments args)
    {
        var count = args.GetInt("count", 100_000);
        var hold = args.Get("hold", "").Length == 0 ? 0 : args.GetInt("hold", 1);
        var ledgerFolder = Directory.CreateTempSubdirectory("bench-ledger-");
        try
        {
            var slugs = Enumerable.Range(0, count).Select(i => $"tenant-{i:D6}").Append("tenant-warm").ToArray();
            var registry = TenantRegistry.FromDefinitions(slugs.Select(BenchTenants.Definition));
            await using var silo = await BenchSilo.StartAsync(silo =>
            {
                silo.Services.AddSingleton<ITenantRegistrySource>(new FixedTenantRegistrySource(registry));
                silo.AddMemoryGrainStorageAsDefault();
                silo.Services.AddSqliteUsageLedger(o => o.DataSource = Path.Combine(ledgerFolder.FullName, "ledger.db"));

                // As the silo host has it: every activation gets the silo's one alert dispatcher.
                silo.Services.AddSingleton<IAlertSender, UnreachableAlertSender>();
                silo.Services.AddOptions<AlertDeliveryOptions>();
                silo.Services.AddSingleton<AlertDispatcher>();
            });

            // One of each first, so that type loading, JIT and lazily built runtime tables are not counted.
            await silo.Grains.GetGrain<IEmptyGrain>("warm").PingAsync();
            await silo.Grains.GetGrain<ITenantGrain>("tenant-warm").GetStatusAsync();

            var start = Measure();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i += Batch)
            {
                await Task.WhenAll(Enumerable.Range(i, Math.Min(Batch, count - i)).Select(k => silo.Grains.GetGrain<IEmptyGrain>("empty-" + k).PingAsync()));
            }

            var emptySeconds = clock.Elapsed.TotalSeconds;
            var afterEmpty = Measure();
            clock.Restart();
            for (var i = 0; i < count; i += Batch)
            {
                await Task.WhenAll(Enumerable.Range(i, Math.Min(Batch, count - i)).Select(k => silo.Grains.GetGrain<ITenantGrain>(slugs[k]).GetStatusAsync()));
            }

            var tenantSeconds = clock.Elapsed.TotalSeconds;
            var afterTenants = Measure();

            // The grain's own objects without Orleans: state, account and its index, as an activation holds them
            // before any request (what the persisted-state part of the figure above is made of).
            var bare = new object[count];
            for (var i = 0; i < count; i++)
            {
                var state = new TenantGrainState();
                state.Account ??= new BudgetAccountState();
                bare[i] = (state, new BudgetAccount(state.Account));
            }

            var afterBare = Measure();
            GC.KeepAlive(bare);

            Console.WriteLine($"memory: {count} activations per grain type, cores={Environment.ProcessorCount}, server GC={GCSettings.IsServerGC}");
            Console.WriteLine();
            Console.WriteLine("| grain | activations | activation time s | live heap growth MB | bytes per activation (GetTotalMemory) | bytes per activation (GC heap size) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            Row("EmptyGrain (Orleans only)", count, emptySeconds, start, afterEmpty);
            Row("TenantGrain (idle, after GetStatusAsync)", count, tenantSeconds, afterEmpty, afterTenants);
            Row("of which: TenantGrainState + BudgetAccount alone (no Orleans)", count, 0, afterTenants, afterBare);
            var tenantBytes = (afterTenants.Live - afterEmpty.Live) / (double)count;
            Console.WriteLine();
            Console.WriteLine($"RESULT {{\"count\":{count},\"emptyGrainBytes\":{(afterEmpty.Live - start.Live) / (double)count:0},\"tenantGrainBytes\":{tenantBytes:0},\"targetBytes\":4096}}");
            if (hold > 0)
            {
                Console.WriteLine($"holding the activations for {hold} s (process {Environment.ProcessId})");
                await Task.Delay(TimeSpan.FromSeconds(hold));
            }

            return 0;
        }
        finally
        {
            ledgerFolder.Delete(recursive: true);
        }
    }

    private static void Row(string name, int count, double seconds, Snapshot before, Snapshot after) =>
        Console.WriteLine(
            $"| {name} | {count} | {seconds:0.0} | {(after.Live - before.Live) / 1048576.0:0.0} | {(after.Live - before.Live) / (double)count:0} | {(after.Heap - before.Heap) / (double)count:0} |");

    private static Snapshot Measure()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var live = GC.GetTotalMemory(forceFullCollection: true);
        return new Snapshot(live, GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes);
    }

    private readonly record struct Snapshot(long Live, long Heap);
}

/// <summary>A sender for a run in which no tenant fires an alert: any attempt is a failure of the benchmark.</summary>
internal sealed class UnreachableAlertSender : IAlertSender
{
    public Task<AlertSendResult> SendAsync(AlertNotice notice, AlertWebhook webhook, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The memory benchmark fires no budget alert.");
}
