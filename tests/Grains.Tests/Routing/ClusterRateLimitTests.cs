using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Grains.Tests.Routing;

/// <summary>
/// A tenant's rate limits hold for the cluster: calls that arrive through the routers of both silos at once are
/// admitted exactly up to the limit, because the tenant's one grain decides them with the reservation.
/// </summary>
[Collection(RouterCollection.Name)]
public sealed class ClusterRateLimitTests(RouterFixture fixture)
{
    private const string Mini = "openai/gpt-4o-mini";

    [Fact]
    public async Task Concurrent_calls_through_two_silos_are_admitted_exactly_up_to_the_requests_per_minute()
    {
        const int Limit = 4;
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: $"requests_per_minute: {Limit}\ncache_ttl_seconds: 0\n");
        var (first, _) = fixture.Router(onSilo: 0);
        var (second, _) = fixture.Router(onSilo: 1);

        var calls = Enumerable.Range(0, 12).Select(i => Outcome((i % 2 == 0 ? first : second).CompleteAsync(Call(tenant, $"question {i}")))).ToArray();
        var outcomes = await Task.WhenAll(calls);

        Assert.Equal(Limit, outcomes.Count(o => o is null));
        var refused = outcomes.OfType<RouteRefusedException>().ToArray();
        Assert.Equal(12 - Limit, refused.Length);
        Assert.All(refused, r =>
        {
            Assert.Equal(RouteRefusal.RateLimited, r.Reason);
            Assert.Equal(429, r.StatusCode);
            Assert.InRange(r.RetryAfter!.Value, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1));
        });

        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await Outcome(second.CompleteAsync(Call(tenant, "after the minute"))));
    }

    [Fact]
    public async Task The_tokens_per_minute_count_calls_from_both_silos_together()
    {
        // Each call reserves about 1,000 tokens (its max_tokens and a short prompt): two fit in 2,500, a third does not,
        // whichever silo it comes through.
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\n", policyYaml: "tokens_per_minute: 2500\ncache_ttl_seconds: 0\n");
        var (first, _) = fixture.Router(onSilo: 0);
        var (second, _) = fixture.Router(onSilo: 1);

        Assert.Null(await Outcome(first.CompleteAsync(Call(tenant, "one", maxTokens: 1_000))));
        Assert.Null(await Outcome(second.CompleteAsync(Call(tenant, "two", maxTokens: 1_000))));
        var third = await Outcome(first.CompleteAsync(Call(tenant, "three", maxTokens: 1_000)));

        Assert.Equal(RouteRefusal.RateLimited, Assert.IsType<RouteRefusedException>(third).Reason);
    }

    private static async Task<RouteRefusedException?> Outcome(Task<RouteResult> call)
    {
        try
        {
            await call;
            return null;
        }
        catch (RouteRefusedException refused)
        {
            return refused;
        }
    }

    private static RouteRequest Call(string tenant, string text, int maxTokens = 50) => new()
    {
        Context = new TenantContext(tenant, "main"),
        Body = new ChatCompletionRequest { Model = Mini, MaxTokens = maxTokens, Messages = [ChatMessage.Create("user", text)] },
    };
}
