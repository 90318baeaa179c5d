using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansTenancy.Grains.Mapping;
using Domain = OrleansTenancy.Tenancy;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tests.Mapping;

/// <summary>
/// The grain contract's records against the domain's: every enum maps by name, and what the domain decides reaches a
/// caller unchanged through the mapping and Orleans' serializer.
/// </summary>
public sealed class BudgetMappingTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(Wire.ITenantGrain).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    public static TheoryData<Type, Type> EnumPairs => new()
    {
        { typeof(Domain.BudgetMetric), typeof(Wire.BudgetMetric) },
        { typeof(Domain.BudgetPeriod), typeof(Wire.BudgetPeriod) },
        { typeof(Domain.ReservationOutcome), typeof(Wire.ReservationOutcome) },
        { typeof(Domain.SettleResult), typeof(Wire.SettleResult) },
        { typeof(Domain.ReleaseResult), typeof(Wire.ReleaseResult) },
        { typeof(Domain.Enforcement), typeof(Wire.Enforcement) },
    };

    [Theory]
    [MemberData(nameof(EnumPairs))]
    public void Every_enum_value_has_the_same_name_and_number_on_both_sides(Type domain, Type wire)
    {
        var domainValues = Enum.GetValues(domain).Cast<object>().Select(v => (Enum.GetName(domain, v), Convert.ToInt32(v, null))).ToList();
        var wireValues = Enum.GetValues(wire).Cast<object>().Select(v => (Enum.GetName(wire, v), Convert.ToInt32(v, null))).ToList();

        Assert.Equal(domainValues, wireValues);
    }

    [Fact]
    public void A_decision_reaches_the_caller_as_the_domain_made_it()
    {
        var now = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.FromHours(1));
        var decision = new Domain.ReservationDecision
        {
            Outcome = Domain.ReservationOutcome.Granted,
            Reservation = new Domain.Reservation
            {
                RequestId = "r1", Workspace = "main", Model = "m", EstimatedCostUsd = 0.10m, EstimatedTokens = 12,
                CreatedAt = now, ExpiresAt = now.AddMinutes(10), DayKey = 20260310, MonthKey = 202603,
            },
            Alerts = [new Domain.BudgetAlert { Workspace = "main", Metric = Domain.BudgetMetric.Tokens, Period = Domain.BudgetPeriod.Month, PeriodKey = 202603, ThresholdPercent = 80m, PercentUsed = 80.5m, Limit = 1000m }],
            SoftOverruns = [Denial(now)],
        };

        var received = RoundTrip(decision.ToWire());

        Assert.Equal(Json(decision, drop: ["executions", "cover"]), Json(received));
    }

    [Fact]
    public void A_status_and_limits_reach_the_caller_as_the_domain_made_them()
    {
        var now = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var status = new Domain.BudgetStatus
        {
            AsOf = now, TimeZoneId = "Europe/Berlin", Enforcement = Domain.Enforcement.Soft, MaxPerRequestUsd = 0.5m, OpenReservations = 3, HeldCovers = 1,
            Limits = [new Domain.LimitStatus
            {
                Workspace = "main", Metric = Domain.BudgetMetric.CostUsd, Period = Domain.BudgetPeriod.Day, Limit = 10m, Spent = 1.25m, Reserved = 0.50m,
                Remaining = 8.25m, PercentUsed = 17.5m, PeriodStart = now.Date, ResetsAt = now.Date.AddDays(1), ForecastAtPeriodEnd = 2.5m,
            }],
        };
        var limits = new Domain.BudgetLimits
        {
            DailyCapUsd = 1.50m, MonthlyCapUsd = 30m, DailyTokens = 100, MonthlyTokens = 1000, DailyExecutions = 5, MonthlyExecutions = 50,
            MaxPerRequest = 0.25m, Enforcement = Domain.Enforcement.Hard, AlertThresholds = [50m, 80m], InheritGlobal = false,
        };

        var received = RoundTrip(status.ToWire());
        Assert.Equal(Json(status), Json(received, drop: ["name"]));
        Assert.Equal("daily_cap_usd", received.Limits.Single().Name);
        Assert.Equal(Json(limits), Json(RoundTrip(limits.ToWire())));
        Assert.Equal(Json(limits), Json(RoundTrip(limits.ToWire()).ToDomain()));
    }

    [Fact]
    public void A_settlement_and_a_denial_cross_unchanged()
    {
        var now = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var request = new Wire.SettleRequest { RequestId = "r1", Workspace = "main", ActualCostUsd = 0.012345m, PromptTokens = 7, CompletionTokens = 9 };
        var outcome = new Domain.SettleOutcome { Result = Domain.SettleResult.SettledAfterExpiry, Alerts = [] };

        // How long the grain may wait to store it is the grain's concern, not the domain's.
        Assert.Equal(Json(request, drop: ["store_within"]), Json(RoundTrip(request).ToDomain()));
        Assert.Equal(TimeSpan.FromMilliseconds(10), RoundTrip(request with { StoreWithin = TimeSpan.FromMilliseconds(10) }).StoreWithin);
        Assert.Equal(Json(outcome), Json(RoundTrip(outcome.ToWire())));
        Assert.Equal(Json(Denial(now)), Json(RoundTrip(Denial(now).ToWire())));
    }

    [Fact]
    public void A_reservation_request_reaches_the_tenant_grain_as_the_router_made_it()
    {
        var request = new Wire.ReservationRequest
        {
            RequestId = "r1", Workspace = "main", Model = "openai/gpt-4o", EstimatedCostUsd = 0.75m, EstimatedTokens = 1200,
            FreshRequestId = true, CallToken = 1234567890,
            Downshift = [new Wire.ReservationAlternative { Model = "openai/gpt-4o-mini", EstimatedCostUsd = 0.0005m, EstimatedTokens = 1100 }],
        };

        Assert.Equal(Json(request), Json(RoundTrip(request).ToDomain()));
        Assert.Equal(Json(request with { Downshift = null }), Json(RoundTrip(request with { Downshift = [] }).ToDomain()));
    }

    private static Domain.BudgetDenial Denial(DateTimeOffset now) => new()
    {
        Workspace = null, Metric = Domain.BudgetMetric.CostUsd, Period = Domain.BudgetPeriod.Day, Limit = 1m, Spent = 0.60m, Reserved = 0.30m,
        Requested = 0.20m, Remaining = 0.10m, ResetsAt = now.Date.AddDays(1), Message = "Tenant daily_cap_usd $1 has $0.10 left.",
    };

    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    private static string Json<T>(T value, string[]? drop = null)
    {
        var node = JsonSerializer.SerializeToNode(value, SnakeCase)!;
        Drop(node, drop ?? []);
        return node.ToJsonString();
    }

    private static void Drop(JsonNode node, string[] names)
    {
        if (node is JsonObject obj)
        {
            foreach (var name in names)
            {
                obj.Remove(name);
            }

            foreach (var child in obj.Select(p => p.Value).OfType<JsonNode>().ToList())
            {
                Drop(child, names);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array.OfType<JsonNode>())
            {
                Drop(child, names);
            }
        }
    }
}
