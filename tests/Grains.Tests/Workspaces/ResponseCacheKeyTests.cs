using System.Text.Json;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Memory;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Grains.Tests.Workspaces;

public sealed class ResponseCacheKeyTests
{
    private static readonly TenantContext Acme = new("acme", "support");
    private static readonly ProviderPreferences OpenAiFirst = new() { Order = ["openai", "azure"], AllowFallbacks = false };
    private static readonly JsonElement Messages = Json("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]""");
    private static readonly JsonElement Parameters = Json("""{"temperature":0.2,"max_tokens":100}""");

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static string Key(TenantContext? context = null, string model = "openai/gpt-4o", ProviderPreferences? providers = null, JsonElement? messages = null, JsonElement? parameters = null) =>
        ResponseCacheKey.Compute(context ?? Acme, model, providers ?? OpenAiFirst, messages ?? Messages, parameters ?? Parameters);

    [Fact]
    public void The_same_request_gives_the_same_lowercase_hex_sha256()
    {
        var key = Key();
        Assert.Equal(key, Key());
        Assert.Matches("^[0-9a-f]{64}$", key);
    }

    [Fact]
    public void Provider_order_is_part_of_the_key()
    {
        Assert.NotEqual(Key(), Key(providers: OpenAiFirst with { Order = ["azure", "openai"] }));
        Assert.NotEqual(Key(), Key(providers: OpenAiFirst with { AllowFallbacks = true }));
        Assert.NotEqual(Key(), ResponseCacheKey.Compute(Acme, "openai/gpt-4o", null, Messages, Parameters));
    }

    [Fact]
    public void Tenant_and_workspace_are_part_of_the_key()
    {
        Assert.NotEqual(Key(), Key(context: new TenantContext("other", "support")));
        Assert.NotEqual(Key(), Key(context: new TenantContext("acme", "sales")));
        // Moving a character across the tenant/workspace boundary must not collide.
        Assert.NotEqual(Key(context: new TenantContext("ab", "c")), Key(context: new TenantContext("a", "bc")));
    }

    [Fact]
    public void Model_messages_and_parameters_are_part_of_the_key()
    {
        Assert.NotEqual(Key(), Key(model: "openai/gpt-4o-mini"));
        Assert.NotEqual(Key(), Key(messages: Json("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi!"}]""")));
        Assert.NotEqual(Key(), Key(messages: Json("""[{"role":"user","content":"Hi"},{"role":"system","content":"Be brief."}]""")));
        Assert.NotEqual(Key(), Key(parameters: Json("""{"temperature":0.3,"max_tokens":100}""")));
        Assert.NotEqual(Key(), ResponseCacheKey.Compute(Acme, "openai/gpt-4o", OpenAiFirst, Messages));
    }

    [Fact]
    public void Property_order_null_properties_and_string_escaping_do_not_change_the_key()
    {
        Assert.Equal(Key(), Key(parameters: Json("""{"max_tokens":100,"temperature":0.2}""")));
        Assert.Equal(Key(), Key(parameters: Json("""{"max_tokens":100,"stop":null,"temperature":0.2}""")));
        Assert.Equal(Key(), Key(messages: Json("""[{"content":"Be brief.","role":"system"},{"content":"\u0048i","role":"user"}]""")));
    }

    [Fact]
    public void Objects_are_serialized_and_canonicalized_like_their_json()
    {
        var messages = new[] { new { role = "system", content = "Be brief." }, new { role = "user", content = "Hi" } };
        var parameters = new Dictionary<string, object> { ["max_tokens"] = 100, ["temperature"] = 0.2 };
        Assert.Equal(Key(), ResponseCacheKey.Compute(Acme, "openai/gpt-4o", OpenAiFirst, messages, parameters));
    }

    [Fact]
    public void An_empty_context_or_model_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ResponseCacheKey.Compute(default, "m", null, Messages));
        Assert.Throws<ArgumentException>(() => ResponseCacheKey.Compute(Acme, " ", null, Messages));
    }
}
