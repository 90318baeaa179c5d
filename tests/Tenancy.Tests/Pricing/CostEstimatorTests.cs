using OrleansTenancy.Tenancy.Pricing;

namespace OrleansTenancy.Tenancy.Tests.PricingTests;

public class CostEstimatorTests
{
    public static TheoryData<int?, long?, int?, int?, long, long> CompletionCases => new()
    {
        // requested max_tokens, policy cap, model max output, context length, prompt tokens, expected completion tokens
        { 500, null, null, null, 100, 500 },
        { 50_000, 4_000, 16_384, null, 100, 4_000 },    // policy cap wins (row 2)
        { 50_000, null, 16_384, null, 100, 16_384 },     // model maximum output wins
        { null, 2_000, 16_384, null, 100, 2_000 },       // no max_tokens: model max, then capped by policy
        { null, null, 8_192, null, 100, 8_192 },
        { null, 1_000, null, null, 100, 1_000 },
        { null, null, null, null, 100, CostEstimator.DefaultMaxCompletionTokens },
        { 10_000, null, null, 8_000, 7_500, 500 },      // the context window bounds the output
        { 10_000, null, null, 8_000, 9_000, 0 },        // prompt already fills the window
        { 0, 4_000, 16_384, null, 100, 0 },
    };

    [Theory]
    [MemberData(nameof(CompletionCases))]
    public void Completion_tokens_are_capped_by_request_policy_model_and_context(
        int? requested, long? policyCap, int? modelMax, int? context, long prompt, long expected)
    {
        var price = new ModelPrice(0.000001m, 0.000002m, modelMax, context);
        Assert.Equal(expected, CostEstimator.CappedCompletionTokens(price, prompt, requested, policyCap));
    }

    [Fact]
    public void Worst_case_cost_is_prompt_times_prompt_price_plus_capped_completion_times_completion_price()
    {
        var resolution = PriceCatalog.LoadEmbedded().Resolve("openai/gpt-4o-mini", null, null);

        var estimate = CostEstimator.EstimateWorstCase(resolution, promptTokens: 1_000, requestedMaxTokens: 500, policyMaxTokensCap: 4_096);

        // 1,000 × $0.00000015 + 500 × $0.0000006
        Assert.Equal(0.00045m, estimate.CostUsd);
        Assert.Equal((1_000L, 500L, 1_500L), (estimate.PromptTokens, estimate.CompletionTokens, estimate.TotalTokens));
        Assert.Equal(PriceSource.Catalog, estimate.PriceSource);
    }

    [Fact]
    public void Every_choice_of_n_is_a_worst_case_of_its_own()
    {
        var resolution = PriceCatalog.LoadEmbedded().Resolve("openai/gpt-4o-mini", null, null);

        var estimate = CostEstimator.EstimateWorstCase(resolution, promptTokens: 1_000, requestedMaxTokens: 500, policyMaxTokensCap: null, choices: 3);

        Assert.Equal(3 * 0.00045m, estimate.CostUsd);
        Assert.Equal((500L, 3, 4_500L), (estimate.CompletionTokens, estimate.Choices, estimate.TotalTokens));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(129)]
    public void A_number_of_choices_outside_one_to_128_is_refused(int choices)
    {
        var resolution = PriceCatalog.LoadEmbedded().Resolve("openai/gpt-4o-mini", null, null);

        Assert.Throws<ArgumentOutOfRangeException>(() => CostEstimator.EstimateWorstCase(resolution, 10, 10, null, choices));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(100, null, 100)]
    [InlineData(null, 100, 100)]
    [InlineData(10, 5_000, 5_000)]
    [InlineData(5_000, 10, 5_000)]
    public void The_requested_completion_is_the_larger_of_max_tokens_and_max_completion_tokens(int? maxTokens, int? maxCompletionTokens, int? expected)
    {
        Assert.Equal(expected, CostEstimator.RequestedCompletionTokens(maxTokens, maxCompletionTokens));
    }

    [Fact]
    public void A_known_free_model_costs_nothing_but_still_reserves_tokens()
    {
        var resolution = PriceCatalog.LoadEmbedded().Resolve("meta-llama/llama-3.2-3b-instruct:free", null, null);
        var estimate = CostEstimator.EstimateWorstCase(resolution, 200, 300, null);

        Assert.Equal(0m, estimate.CostUsd);
        Assert.Equal(500, estimate.TotalTokens);
    }

    [Fact]
    public void An_unknown_model_without_a_conservative_price_is_refused_naming_the_model_and_the_fix()
    {
        // Row 8: an unpriced model must never pass as free.
        var resolution = PriceCatalog.LoadEmbedded().Resolve("vendor/brand-new", null, null);

        var ex = Assert.Throws<UnknownModelPriceException>(() => CostEstimator.EstimateWorstCase(resolution, 10, 10, null));

        Assert.Equal("vendor/brand-new", ex.Model);
        Assert.Contains("'vendor/brand-new'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pricing overrides", ex.Message, StringComparison.Ordinal);
        Assert.Contains("conservative unknown-model price", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_model_with_a_conservative_price_is_charged_that_price()
    {
        var resolution = PriceCatalog.LoadEmbedded().Resolve("vendor/brand-new", null, new ModelPrice(0.00001m, 0.00003m));
        var estimate = CostEstimator.EstimateWorstCase(resolution, 1_000, 1_000, null);

        Assert.Equal(PriceSource.Conservative, estimate.PriceSource);
        Assert.Equal(0.04m, estimate.CostUsd);
    }

    [Fact]
    public void Actual_cost_from_tokens_uses_the_same_prices()
    {
        Assert.Equal(0.0105m, CostEstimator.Cost(new ModelPrice(0.000003m, 0.000015m), 1_000, 500));
    }
}
