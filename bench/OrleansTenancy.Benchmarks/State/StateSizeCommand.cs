using System.Diagnostics;
using System.Text.Json;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Benchmarks.Reservations;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.Storage;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Benchmarks.State;

/// <summary>
/// <c>state-size [--open N]</c>: the size and serialisation time of one tenant's persisted state, which every group
/// commit writes in full. Shown for a fresh tenant, after N open reservations, and after 1,000 / 10,000 settled
/// requests (the account remembers up to 10,000 finished request ids for idempotency).
/// </summary>
public static class StateSizeCommand
{
    public static int Run(Arguments args)
    {
        var open = args.GetInt("open", 64);
        var limits = BenchTenants.Definition("t").Budgets;
        var rules = new BudgetRules(limits, TimeZoneInfo.Utc);
        var now = DateTimeOffset.UtcNow;

        Console.WriteLine("| tenant state | JSON bytes | serialise ms (mean of 20) |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var settled in new[] { 0, 1_000, 10_000 })
        {
            var state = new TenantGrainState();
            var account = new BudgetAccount(state.Account);
            for (var i = 0; i < settled; i++)
            {
                var id = "settled-" + i;
                account.TryReserve(Request(id), rules, now);
                account.Settle(new SettleRequest { RequestId = id, ActualCostUsd = 0.0015m, PromptTokens = 400, CompletionTokens = 200 }, rules, now);
            }

            for (var i = 0; i < open; i++)
            {
                account.TryReserve(Request("open-" + i), rules, now);
            }

            var json = JsonSerializer.Serialize(state, GrainStateJson.DefaultOptions);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 20; i++)
            {
                json = JsonSerializer.Serialize(state, GrainStateJson.DefaultOptions);
            }

            Console.WriteLine($"| {settled} finished ids + {open} open reservations | {json.Length} | {clock.Elapsed.TotalMilliseconds / 20:0.000} |");
        }

        return 0;
    }

    private static ReservationRequest Request(string id) =>
        new() { RequestId = id, Workspace = "main", Model = "openai/gpt-4o-mini", EstimatedCostUsd = 0.002m, EstimatedTokens = 600, FreshRequestId = true };
}
