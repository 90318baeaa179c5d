using OrleansTenancy.Tenancy.Pricing;

namespace OrleansTenancy.Tenancy.Tests.PricingTests;

public class PriceCatalogTests
{
    [Theory]
    [InlineData("openai/gpt-4o-mini", "0.00000015", "0.0000006", 16384)]
    [InlineData("openai/gpt-4o", "0.0000025", "0.00001", 16384)]
    [InlineData("anthropic/claude-3.5-haiku", "0.0000008", "0.000004", 8192)]
    [InlineData("anthropic/claude-sonnet-4", "0.000003", "0.000015", 64000)]
    [InlineData("google/gemini-2.0-flash-001", "0.0000001", "0.0000004", 8192)]
    [InlineData("meta-llama/llama-3.3-70b-instruct", "0.00000013", "0.0000004", 16384)]
    [InlineData("mistralai/mistral-small-3.1-24b-instruct", "0.0000001", "0.0000003", null)]
    [InlineData("deepseek/deepseek-chat", "0.0000003", "0.00000085", 163840)]
    [InlineData("meta-llama/llama-3.2-3b-instruct:free", "0", "0", null)]
    public void Embedded_catalog_prices_the_example_tenants_models(string model, string prompt, string completion, int? maxCompletion)
    {
        var catalog = PriceCatalog.LoadEmbedded();

        Assert.True(catalog.TryGet(model, out var price));
        Assert.Equal(decimal.Parse(prompt, System.Globalization.CultureInfo.InvariantCulture), price.PromptPerToken);
        Assert.Equal(decimal.Parse(completion, System.Globalization.CultureInfo.InvariantCulture), price.CompletionPerToken);
        Assert.Equal(maxCompletion, price.MaxCompletionTokens);
        Assert.NotNull(price.ContextLength);
    }

    [Fact]
    public void Lookup_ignores_case_and_misses_unknown_models()
    {
        var catalog = PriceCatalog.LoadEmbedded();
        Assert.Equal(9, catalog.Count);
        Assert.True(catalog.TryGet("OpenAI/GPT-4o-mini", out _));
        Assert.False(catalog.TryGet("openai/gpt-4o-mini:nitro", out _));
    }

    [Fact]
    public void Invalid_entries_are_reported_with_their_model_id_and_the_rest_loads()
    {
        const string json = """
            {"data":[
              {"id":"ok/model","context_length":1000,"pricing":{"prompt":"0.000001","completion":"2E-6"},"top_provider":{"max_completion_tokens":500}},
              {"id":"bad/text","pricing":{"prompt":"abc","completion":"0.1"}},
              {"id":"openrouter/auto","pricing":{"prompt":"-1","completion":"-1"}},
              {"id":"no/completion","pricing":{"prompt":"0.1"}},
              {"id":"no/pricing"},
              {"name":"no id","pricing":{"prompt":"0","completion":"0"}},
              {"id":"ok/model","pricing":{"prompt":"9","completion":"9"}},
              {"id":"number/price","pricing":{"prompt":0.5,"completion":1}}
            ]}
            """;

        var result = PriceCatalog.Parse(json, "models.json");

        Assert.Equal(["number/price", "ok/model"], result.Catalog.Models.Order(StringComparer.Ordinal).ToArray());
        Assert.True(result.Catalog.TryGet("ok/model", out var ok));
        Assert.Equal(new ModelPrice(0.000001m, 0.000002m, 500, 1000), ok);
        Assert.Equal(
            [("bad/text", "pricing.prompt"), ("openrouter/auto", "pricing.prompt"), ("openrouter/auto", "pricing.completion"),
             ("no/completion", "pricing.completion"), ("no/pricing", "pricing"), ("data[5]", "id"), ("ok/model", "id")],
            result.Issues.Select(i => (i.ModelId, i.Field)).ToArray());
        Assert.All(result.Issues, i => Assert.Equal("models.json", i.Source));
        Assert.Contains("'bad/text'", result.Issues[0].ToString(), StringComparison.Ordinal);
        Assert.Contains("\"abc\"", result.Issues[0].ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{\"models\":[]}", "\"data\" array")]
    [InlineData("[]", "\"data\" array")]
    public void Malformed_documents_name_the_source_and_the_expected_shape(string json, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => PriceCatalog.Parse(json, "live /models"));
        Assert.StartsWith("live /models:", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalog_loads_from_a_file_path()
    {
        var dir = Directory.CreateTempSubdirectory("prices-");
        try
        {
            var path = Path.Combine(dir.FullName, "prices.json");
            File.WriteAllText(path, """{"data":[{"id":"x/y","pricing":{"prompt":"0.5","completion":"1.5"}}]}""");

            var result = PriceCatalog.LoadFile(path);

            Assert.Empty(result.Issues);
            Assert.Equal(path, result.Catalog.Source);
            Assert.True(result.Catalog.TryGet("x/y", out var price));
            Assert.Equal((0.5m, 1.5m), (price.PromptPerToken, price.CompletionPerToken));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public static TheoryData<string, bool, bool, PriceSource, decimal?> ResolveCases => new()
    {
        // model, tenant override present, conservative configured, expected source, expected prompt price
        { "openai/gpt-4o-mini", true, true, PriceSource.Override, 0.000001m },
        { "openai/gpt-4o-mini", false, true, PriceSource.Catalog, 0.00000015m },
        { "meta-llama/llama-3.2-3b-instruct:free", false, true, PriceSource.Catalog, 0m },
        { "vendor/brand-new", false, true, PriceSource.Conservative, 0.00002m },
        { "vendor/brand-new", false, false, PriceSource.Unknown, null },
    };

    [Theory]
    [MemberData(nameof(ResolveCases))]
    public void Resolve_prefers_override_then_catalog_then_conservative_and_never_defaults_to_free(
        string model, bool withOverride, bool withConservative, PriceSource source, decimal? promptPrice)
    {
        var overrides = withOverride ? new Dictionary<string, ModelPrice> { [model] = new(0.000001m, 0.000002m) } : null;
        var conservative = withConservative ? new ModelPrice(0.00002m, 0.00008m) : null;

        var resolution = PriceCatalog.LoadEmbedded().Resolve(model, overrides, conservative);

        Assert.Equal(source, resolution.Source);
        Assert.Equal(promptPrice, resolution.Price?.PromptPerToken);
        Assert.Equal(promptPrice is not null, resolution.IsKnown);
    }

    [Fact]
    public void Holder_swaps_the_whole_catalog()
    {
        var holder = new PriceCatalogHolder(PriceCatalog.Empty);
        var seenBefore = holder.Current;
        holder.Replace(PriceCatalog.LoadEmbedded());

        Assert.Equal(0, seenBefore.Count);
        Assert.Equal(9, holder.Current.Count);
    }
}
