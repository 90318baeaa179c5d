using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Tenancy.Tests.BudgetTests;

/// <summary>An account, its rules and a clock, with terse helpers for table-driven tests.</summary>
internal sealed class AccountHarness
{
    private int _nextId;

    public AccountHarness(BudgetLimits tenant, IReadOnlyDictionary<string, BudgetLimits>? workspaces = null, string zone = "UTC",
        DateTimeOffset? start = null, BudgetAccountOptions? options = null, TimeSpan? ttl = null)
    {
        Rules = new BudgetRules(tenant, BudgetCalendarTests.Zone(zone), workspaces, ttl);
        Clock = new TestClock(start ?? new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        Account = new BudgetAccount(State, options);
    }

    public BudgetAccountState State { get; } = new();

    public BudgetRules Rules { get; set; }

    public TestClock Clock { get; }

    public BudgetAccount Account { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public ReservationDecision Reserve(decimal cost, long tokens = 0, string workspace = "main", string? id = null) =>
        Account.TryReserve(new ReservationRequest
        {
            RequestId = id ?? $"r{++_nextId}",
            Workspace = workspace,
            Model = "openai/gpt-4o-mini",
            EstimatedCostUsd = cost,
            EstimatedTokens = tokens,
        }, Rules, Now);

    public SettleOutcome Settle(string id, decimal cost, long prompt = 0, long completion = 0, string? workspace = null) =>
        Account.Settle(new SettleRequest { RequestId = id, ActualCostUsd = cost, PromptTokens = prompt, CompletionTokens = completion, Workspace = workspace }, Rules, Now);

    public LimitStatus Status(BudgetMetric metric, BudgetPeriod period, string? workspace = null) =>
        Account.GetStatus(Rules, Now).Limits.Single(l => l.Metric == metric && l.Period == period && l.Workspace == workspace);
}
