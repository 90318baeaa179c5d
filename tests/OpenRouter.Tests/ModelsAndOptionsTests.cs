using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Tests;

public sealed class ModelsAndOptionsTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Models_are_listed_with_string_prices_parsed_to_decimals()
    {
        var models = await fixture.CreateClient().ListModelsAsync();

        Assert.Equal(SimulatedModel.BuiltIn.Count, models.Count);
        var sonnet = Assert.Single(models, model => model.Id == "anthropic/claude-3.5-sonnet");
        Assert.Equal(0.000003m, sonnet.PromptPerToken);
        Assert.Equal(0.000015m, sonnet.CompletionPerToken);
        Assert.Equal(200000, sonnet.ContextLength);
        Assert.Equal(8192, sonnet.MaxCompletionTokens);
        Assert.Null(sonnet.RequestPrice);
    }

    [Fact]
    public async Task Models_endpoint_sends_prices_as_strings()
    {
        var body = await fixture.Http.GetStringAsync(new Uri(fixture.Simulator.BaseUrl + "/models"));

        Assert.Contains("\"prompt\":\"0.0000025\"", body, StringComparison.Ordinal);
        Assert.Contains("\"max_completion_tokens\":16384", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_parser_skips_entries_without_usable_prices()
    {
        ModelInfo[] models =
        [
            new() { Id = "openrouter/auto", Pricing = new ModelPricing { Prompt = "-1", Completion = "-1" } },
            new() { Id = "broken/model", Pricing = new ModelPricing { Prompt = "free", Completion = "0" } },
            new() { Id = "tiny/model", Pricing = new ModelPricing { Prompt = "1e-8", Completion = "0.00000002", Request = "0.005" } },
        ];

        var parsed = ModelCatalogParser.Parse(models);

        var tiny = Assert.Single(parsed);
        Assert.Equal("tiny/model", tiny.Id);
        Assert.Equal(0.00000001m, tiny.PromptPerToken);
        Assert.Equal(0.005m, tiny.RequestPrice);
    }

    [Fact]
    public void Environment_overrides_configuration_and_defaults_apply()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenRouter:BaseUrl"] = "http://config.example/api/v1",
            ["OpenRouter:Title"] = "Tenancy",
            ["OpenRouter:Timeout"] = "00:00:30",
        }).Build();
        var environment = new Dictionary<string, string>
        {
            [OpenRouterOptions.BaseUrlEnvironmentVariable] = "http://env.example/api/v1",
            [OpenRouterOptions.ApiKeyEnvironmentVariable] = "sk-or-secret",
        };

        var options = OpenRouterOptions.FromConfiguration(configuration, name => environment.GetValueOrDefault(name));
        var defaults = OpenRouterOptions.FromConfiguration(null, _ => null);

        Assert.Equal(new Uri("http://env.example/api/v1"), options.BaseUrl);
        Assert.Equal("sk-or-secret", options.ApiKey);
        Assert.Equal("Tenancy", options.Title);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
        Assert.DoesNotContain("sk-or-secret", options.ToString(), StringComparison.Ordinal);
        Assert.Equal(new Uri("https://openrouter.ai/api/v1"), defaults.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(60), defaults.Timeout);
        Assert.Equal(2, defaults.MaxRetries);
        Assert.Null(defaults.ApiKey);
    }

    [Fact]
    public void Invalid_options_name_the_property_and_value()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenRouter:BaseUrl"] = "not a url",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => OpenRouterOptions.FromConfiguration(configuration, _ => null));
        var errors = OpenRouterOptionsValidator.Validate(new OpenRouterOptions { MaxRetries = -1, Timeout = TimeSpan.Zero });

        Assert.Contains("OpenRouter:BaseUrl 'not a url'", error.Message, StringComparison.Ordinal);
        Assert.Contains(errors, message => message.Contains("OpenRouterOptions.MaxRetries -1", StringComparison.Ordinal));
        Assert.Contains(errors, message => message.Contains("OpenRouterOptions.Timeout", StringComparison.Ordinal));
    }
}

public sealed class SimulatorControlTests : IAsyncLifetime
{
    private SimulatorHost? _simulator;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public async Task InitializeAsync() => _simulator = await OpenRouterSimulator.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _simulator!.DisposeAsync();
    }

    [Fact]
    public async Task Config_endpoint_sets_defaults_for_clients_that_cannot_send_headers()
    {
        using var content = new StringContent("""{"error":503,"fail_times":1,"usage_shape":"no-choices"}""", System.Text.Encoding.UTF8, "application/json");
        using var posted = await _http.PostAsync(new Uri(_simulator!.RootUrl, "_sim/config"), content);
        posted.EnsureSuccessStatusCode();
        var client = new OpenRouterClient(_http, new OpenRouterOptions { BaseUrl = _simulator.BaseUrl, RetryBaseDelay = TimeSpan.Zero });

        var result = await client.CompleteAsync(SimulatorFixture.Request(), new OpenRouterCallOptions { RequestId = "config-1" });
        var log = await _http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri(_simulator.RootUrl, "_sim/requests"));

        Assert.Equal(2, result.Attempts);
        Assert.Equal(UsageChunkShape.NoChoices, _simulator.State.Defaults.UsageShape);
        Assert.Equal(2, log.GetProperty("count").GetInt64());
        Assert.Equal(503, log.GetProperty("recent")[0].GetProperty("status").GetInt32());
        Assert.Equal("ok", log.GetProperty("recent")[1].GetProperty("outcome").GetString());
    }
}
