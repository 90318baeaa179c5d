using System.Text;
using System.Text.Json;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Silo.Gateway;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Silo.Tests.Gateway;

public sealed class GatewayErrorTests
{
    [Theory]
    [InlineData(RouteRefusal.BudgetDenied, 500, 402, "budget_exceeded")]
    [InlineData(RouteRefusal.BudgetDenied, 402, 402, "budget_exceeded")]
    [InlineData(RouteRefusal.RateLimited, 503, 429, "rate_limit_exceeded")]
    [InlineData(RouteRefusal.Upstream, 429, 429, "rate_limit_exceeded")]
    [InlineData(RouteRefusal.Upstream, 500, 502, "upstream_error")]
    [InlineData(RouteRefusal.Upstream, 503, 503, "upstream_error")]
    [InlineData(RouteRefusal.Upstream, 200, 502, "upstream_error")]
    [InlineData(RouteRefusal.ModelNotAllowed, 403, 403, "permission_denied")]
    [InlineData(RouteRefusal.TenantSuspended, 403, 403, "permission_denied")]
    [InlineData(RouteRefusal.ContextMissing, 401, 401, "authentication_error")]
    [InlineData(RouteRefusal.UnknownModelPrice, 400, 400, "invalid_request_error")]
    public void Refusals_map_to_a_status_and_type_and_never_5xx_for_budget_or_rate(RouteRefusal reason, int routerStatus, int expectedStatus, string expectedType)
    {
        var error = GatewayError.FromRefusal(new RouteRefusedException(reason, "refused") { UpstreamStatus = routerStatus });

        Assert.Equal(expectedStatus, error.Status);
        Assert.Equal(expectedType, error.Type);
    }

    [Theory]
    [InlineData(RouteRefusal.BudgetDenied, 500)]
    [InlineData(RouteRefusal.RateLimited, 503)]
    [InlineData(RouteRefusal.Upstream, 500)]
    [InlineData(RouteRefusal.Upstream, 200)]
    [InlineData(RouteRefusal.ContextMissing, 403)]
    public void The_gateway_answers_the_status_the_router_decided_for_cluster_clients_too(RouteRefusal reason, int routerStatus)
    {
        var refusal = new RouteRefusedException(reason, "refused") { UpstreamStatus = routerStatus };

        Assert.Equal(refusal.StatusCode, GatewayError.FromRefusal(refusal).Status);
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(1.0, 1)]
    [InlineData(1.01, 2)]
    [InlineData(59.5, 60)]
    public void Retry_after_is_whole_seconds_rounded_up(double seconds, long expected) =>
        Assert.Equal(expected, GatewayError.RetryAfterSeconds(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void A_rate_limit_without_a_hint_still_asks_for_a_retry_after()
    {
        var error = GatewayError.FromRefusal(new RouteRefusedException(RouteRefusal.RateLimited, "slow down"));

        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
    }

    [Fact]
    public void A_budget_denial_body_names_the_limit_the_amount_left_and_the_reset()
    {
        var denial = new BudgetDenial
        {
            Metric = BudgetMetric.CostUsd,
            Period = BudgetPeriod.Day,
            Limit = 10m,
            Spent = 9.5m,
            Reserved = 0.25m,
            Requested = 0.5m,
            Remaining = 0.25m,
            ResetsAt = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.FromHours(1)),
            Message = "Daily cost cap of $10 reached: $0.25 left, resets 2026-11-23.",
        };
        var error = GatewayError.FromRefusal(new RouteRefusedException(RouteRefusal.BudgetDenied, "denied") { Denial = denial, Code = "budget_exceeded" });

        var json = Write(error).GetProperty("error");

        Assert.Equal(denial.Message, json.GetProperty("message").GetString());
        Assert.Equal("budget_exceeded", json.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("param").ValueKind);
        var budget = json.GetProperty("budget");
        Assert.Equal("cost_usd", budget.GetProperty("limit_kind").GetString());
        Assert.Equal("day", budget.GetProperty("period").GetString());
        Assert.Equal(10m, budget.GetProperty("limit").GetDecimal());
        Assert.Equal(9.5m, budget.GetProperty("spent").GetDecimal());
        Assert.Equal(0.25m, budget.GetProperty("reserved").GetDecimal());
        Assert.Equal(0.5m, budget.GetProperty("requested").GetDecimal());
        Assert.Equal(0.25m, budget.GetProperty("remaining").GetDecimal());
        Assert.Equal("2026-11-22T23:00:00Z", budget.GetProperty("resets_at").GetString());
    }

    [Fact]
    public void A_per_request_denial_has_no_reset_time()
    {
        var denial = new BudgetDenial { Metric = BudgetMetric.MaxPerRequest, Period = BudgetPeriod.Request, Limit = 0.1m, Requested = 0.3m, Message = "Too expensive." };
        var error = GatewayError.FromRefusal(new RouteRefusedException(RouteRefusal.BudgetDenied, "denied") { Denial = denial });

        var budget = Write(error).GetProperty("error").GetProperty("budget");

        Assert.Equal("max_per_request", budget.GetProperty("limit_kind").GetString());
        Assert.Equal("request", budget.GetProperty("period").GetString());
        Assert.Equal(JsonValueKind.Null, budget.GetProperty("resets_at").ValueKind);
    }

    private static JsonElement Write(GatewayError error)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            error.WriteJson(json);
        }

        return JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray())).RootElement.Clone();
    }
}
