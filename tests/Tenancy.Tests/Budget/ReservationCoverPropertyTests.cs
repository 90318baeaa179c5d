using System.Text.Json;
using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Tenancy.Tests.BudgetTests;

/// <summary>
/// Random interleavings of grants, settles, writes that succeed or fail, and time, replayed the way the tenant grain
/// drives the account and its cover. After every step, what storage holds (what a restart would load) must hold
/// budget for every call a caller was told is granted and whose settle is not stored yet.
/// </summary>
public class ReservationCoverPropertyTests
{
    private static readonly BudgetRules Rules = new(
        new BudgetLimits { DailyCapUsd = 40m, MonthlyTokens = 20_000, Enforcement = Enforcement.Hard },
        TimeZoneInfo.Utc,
        new Dictionary<string, BudgetLimits> { ["lab"] = new() { DailyCapUsd = 8m, DailyExecutions = 30, Enforcement = Enforcement.Hard } });

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 60; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Storage_always_holds_budget_for_every_call_in_flight(int seed)
    {
        var random = new Random(seed);
        var now = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var state = new BudgetAccountState();
        var account = new BudgetAccount(state);
        var cover = new ReservationCover();
        string? stored = null;
        (CoverSnapshot Snapshot, string Json, List<Reservation> Waiting, List<string> Settled)? inFlight = null;
        var waiting = new List<Reservation>();           // granted, caller waits for a write
        var answered = new Dictionary<string, Reservation>(StringComparer.Ordinal); // caller told "granted", settle not stored
        var settledInMemory = new List<string>();
        var spent = new Dictionary<string, decimal>(StringComparer.Ordinal); // what upstream charged, once per call
        var workspaceOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var next = 0;

        for (var step = 0; step < 400; step++)
        {
            switch (random.Next(10))
            {
                case < 4:
                    var workspace = random.Next(3) == 0 ? "lab" : "main";
                    var decision = account.TryReserve(new ReservationRequest
                    {
                        RequestId = $"c{next++}",
                        Workspace = workspace,
                        Model = "m",
                        EstimatedCostUsd = random.Next(1, 200) / 100m,
                        EstimatedTokens = random.Next(1, 400),
                    }, Rules, now);
                    if (decision.IsGranted)
                    {
                        workspaceOf[decision.Reservation!.RequestId] = workspace;
                        if (cover.TryCover(decision.Reservation!, now))
                        {
                            answered.Add(decision.Reservation!.RequestId, decision.Reservation);
                        }
                        else
                        {
                            waiting.Add(decision.Reservation!);
                        }
                    }

                    break;
                case 4 or 5 when answered.Count > 0:
                    var call = answered.Values.ElementAt(random.Next(answered.Count));
                    if (!settledInMemory.Contains(call.RequestId))
                    {
                        account.Settle(new SettleRequest { RequestId = call.RequestId, Workspace = call.Workspace, ActualCostUsd = call.EstimatedCostUsd / 2 }, Rules, now);
                        settledInMemory.Add(call.RequestId);
                        spent.TryAdd(call.RequestId, call.EstimatedCostUsd / 2);
                    }

                    break;
                case 6 when inFlight is null:
                    var snapshot = cover.Place(account, Rules, now);
                    var json = JsonSerializer.Serialize(state);
                    ReservationCover.Remove(account, snapshot);
                    inFlight = (snapshot, json, [.. waiting], [.. settledInMemory]);
                    waiting.Clear();
                    break;
                case 7 when inFlight is { } write:
                    if (random.Next(8) > 0)
                    {
                        cover.Written(write.Snapshot);
                        stored = write.Json;
                        write.Waiting.ForEach(r => answered.Add(r.RequestId, r));
                        foreach (var id in write.Settled)
                        {
                            answered.Remove(id);
                            settledInMemory.Remove(id);
                        }
                    }
                    else
                    {
                        // The grain fails every waiting caller and re-reads storage; settles not stored are retried later.
                        cover.WriteFailed();
                        state = stored is null ? new BudgetAccountState() : JsonSerializer.Deserialize<BudgetAccountState>(stored)!;
                        account = new BudgetAccount(state);
                        waiting.Clear();
                        settledInMemory.Clear();
                    }

                    inFlight = null;
                    break;
                default:
                    now += random.Next(20) == 0 ? TimeSpan.FromSeconds(6) : TimeSpan.FromMilliseconds(random.Next(60));
                    break;
            }

            AssertStorageHoldsCallsInFlight(stored, answered.Values, seed, step);
            AssertNoOverspend(spent, answered.Values, workspaceOf, seed, step);
        }
    }

    private static void AssertStorageHoldsCallsInFlight(string? stored, IEnumerable<Reservation> inFlight, int seed, int step)
    {
        var loaded = stored is null ? new BudgetAccountState() : JsonSerializer.Deserialize<BudgetAccountState>(stored)!;
        foreach (var group in inFlight.Where(r => !loaded.Reservations.ContainsKey(r.RequestId)).GroupBy(r => r.Workspace))
        {
            // A call needs a cover that lasts as long as it does: for every expiry T, the calls lasting until T or
            // longer must fit in the covers lasting until T or longer.
            foreach (var until in group.Select(r => r.ExpiresAt).Distinct())
            {
                var need = group.Where(r => r.ExpiresAt >= until).Aggregate(default(CoverAmount), (sum, r) => sum + CoverAmount.Of(r));
                var held = loaded.Reservations.Values
                    .Where(r => r.Cover && r.Workspace == group.Key && r.ExpiresAt >= until)
                    .Aggregate(default(CoverAmount), (sum, r) => sum + CoverAmount.Of(r));
                Assert.True(held.Holds(need), $"seed {seed} step {step}: storage holds {held} until {until:HH:mm:ss.fff} for workspace {group.Key}; calls in flight need {need}");
            }
        }
    }

    private static void AssertNoOverspend(Dictionary<string, decimal> spent, IEnumerable<Reservation> inFlight, Dictionary<string, string> workspaceOf, int seed, int step)
    {
        // What the tenant can be charged at most: every settled call's actual cost plus every open call's worst case.
        var open = inFlight.Where(r => !spent.ContainsKey(r.RequestId)).ToList();
        var tenant = spent.Values.Sum() + open.Sum(r => r.EstimatedCostUsd);
        var lab = spent.Where(p => workspaceOf[p.Key] == "lab").Sum(p => p.Value) + open.Where(r => r.Workspace == "lab").Sum(r => r.EstimatedCostUsd);
        Assert.True(tenant <= 40m, $"seed {seed} step {step}: {tenant} USD committed against a 40 USD cap");
        Assert.True(lab <= 8m, $"seed {seed} step {step}: {lab} USD committed in lab against its 8 USD cap");
    }
}
