using FsCheck;
using FsCheck.Fluent;
using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Tenancy.Tests.BudgetTests;

/// <summary>No sequence of reserve, settle, release, duplicate calls and clock moves grants beyond a hard cap.</summary>
public class HardCapPropertyTests
{
    private static readonly BudgetLimits _limits = new()
    {
        DailyCapUsd = 1.00m,
        MonthlyCapUsd = 3.00m,
        DailyTokens = 5_000,
        DailyExecutions = 20,
        MaxPerRequest = 0.50m,
        Enforcement = Enforcement.Hard,
    };

    private static readonly Dictionary<string, BudgetLimits> _workspaces = new() { ["w1"] = new BudgetLimits { DailyCapUsd = 0.40m } };

    private static readonly string[] _workspaceNames = ["w1", "w2"];

    [Fact]
    public void Hard_caps_hold_after_every_operation()
    {
        var step = Gen.Zip(Gen.Choose(0, 5), Gen.Zip(Gen.Choose(0, 60), Gen.Choose(0, 100)));
        var arbitrary = Gen.ListOf(step).Select(list => list.ToArray()).ToArbitrary();

        var property = Prop.ForAll(arbitrary, steps => Run(steps.Select(s => (s.Item1, s.Item2.Item1, s.Item2.Item2)).ToArray()));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), property);
    }

    private static bool Run((int Kind, int Amount, int Percent)[] steps)
    {
        var h = new AccountHarness(_limits, _workspaces, zone: "Europe/Berlin", start: new DateTimeOffset(2026, 10, 24, 21, 0, 0, TimeSpan.Zero),
            ttl: TimeSpan.FromMinutes(30), options: new BudgetAccountOptions { RecentRequestRetention = TimeSpan.FromDays(365) });
        var settled = new List<(int DayKey, string Workspace, decimal Cost)>();
        var finished = new List<string>();
        var next = 0;
        foreach (var (kind, amount, percent) in steps)
        {
            var open = h.State.Reservations.Values.OrderBy(r => r.RequestId, StringComparer.Ordinal).ToArray();
            switch (kind)
            {
                case 0 or 1:
                    var decision = h.Reserve(amount / 100m, amount * 50L, _workspaceNames[percent % 2], id: $"r{next++}");
                    if (decision.IsGranted != (decision.Outcome == ReservationOutcome.Granted))
                    {
                        throw new InvalidOperationException($"step ({kind},{amount},{percent}): IsGranted disagrees with {decision.Outcome}");
                    }

                    break;
                case 2 when open.Length > 0:
                    var toSettle = open[percent % open.Length];
                    var actual = decimal.Round(toSettle.EstimatedCostUsd * percent / 100m, 6);
                    var actualTokens = toSettle.EstimatedTokens * percent / 100;
                    if (h.Settle(toSettle.RequestId, actual, actualTokens / 2, actualTokens - (actualTokens / 2)).Result != SettleResult.Settled)
                    {
                        throw new InvalidOperationException($"step ({kind},{amount},{percent}): settling open {toSettle.RequestId} did not report Settled");
                    }

                    settled.Add((toSettle.DayKey, toSettle.Workspace, actual));
                    finished.Add(toSettle.RequestId);
                    break;
                case 3 when open.Length > 0:
                    var toRelease = open[percent % open.Length];
                    h.Account.Release(toRelease.RequestId, h.Now);
                    finished.Add(toRelease.RequestId);
                    break;
                case 4 when finished.Count > 0:
                    // A duplicate settle or release must change nothing.
                    var before = System.Text.Json.JsonSerializer.Serialize(h.Account.GetStatus(h.Rules, h.Now));
                    var id = finished[percent % finished.Count];
                    var duplicate = h.Settle(id, 1m, 1, 1);
                    h.Account.Release(id, h.Now);
                    if (duplicate.Changed || before != System.Text.Json.JsonSerializer.Serialize(h.Account.GetStatus(h.Rules, h.Now)))
                    {
                        throw new InvalidOperationException($"step ({kind},{amount},{percent}): duplicate of {id} changed state ({duplicate.Result})");
                    }

                    break;
                default:
                    h.Clock.Advance(TimeSpan.FromMinutes(amount * percent / 10.0));
                    break;
            }

            if (!CapsHold(h) || !SpentMatchesSettlements(h, settled))
            {
                throw new InvalidOperationException($"after step ({kind},{amount},{percent}) at {h.Now:O}: caps {CapsHold(h)}, accounting {SpentMatchesSettlements(h, settled)}: "
                    + System.Text.Json.JsonSerializer.Serialize(h.Account.GetStatus(h.Rules, h.Now).Limits));
            }
        }

        return true;
    }

    private static bool CapsHold(AccountHarness h)
    {
        // Settled actuals (cost and tokens) never exceed their estimates here, so spent + reserved bounds every grant ever made.
        // An overshoot past an estimate is legitimate (the upstream's cost is a fact) and is covered by the settlement tests.
        return h.Account.GetStatus(h.Rules, h.Now).Limits.All(l => l.Spent + l.Reserved <= l.Limit);
    }

    private static bool SpentMatchesSettlements(AccountHarness h, List<(int DayKey, string Workspace, decimal Cost)> settled)
    {
        var status = h.Account.GetStatus(h.Rules, h.Now);
        var today = BudgetCalendar.KeyOf(BudgetPeriod.Day, h.Now, h.Rules.TimeZone);
        var tenantDay = status.Limits.Single(l => l.Workspace is null && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        var w1Day = status.Limits.Single(l => l.Workspace == "w1" && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        var expectedReserved = h.State.Reservations.Values.Where(r => r.DayKey == today).Sum(r => r.EstimatedCostUsd);
        return tenantDay.Spent == settled.Where(s => s.DayKey == today).Sum(s => s.Cost)
            && w1Day.Spent == settled.Where(s => s.DayKey == today && s.Workspace == "w1").Sum(s => s.Cost)
            && tenantDay.Reserved == expectedReserved;
    }
}
