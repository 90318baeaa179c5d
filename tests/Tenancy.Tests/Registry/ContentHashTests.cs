using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Tests.Registry;

/// <summary>The registry's content hash: equal for the same tenants however they were written down, different for any change that matters.</summary>
public sealed class ContentHashTests
{
    private static readonly KeyValuePair<string, string>[] Files =
    [
        new("_global.yaml", "budgets:\n  monthly_cap_usd: 100\npricing:\n  unknown_model:\n    prompt: 0.00001\n    completion: 0.00003\n"),
        new("acme/tenant.yaml", "name: Acme\ntimezone: Europe/Berlin\nworkspaces:\n  staff:\n    discord_guild_id: \"123456789012345678\"\n  support:\n    discord_guild_id: \"223456789012345678\"\n"),
        new("acme/budgets.yaml", "daily_cap_usd: 5\nenforcement: hard\n"),
        new("acme/routing.yaml", "allowed_models: [openai/gpt-4o-mini, openai/gpt-4o]\nmodels:\n  default: openai/gpt-4o-mini\n  summarise: openai/gpt-4o\n"),
        new("acme/policy_overrides.yaml", "requests_per_minute: 60\ntokens_per_minute: 10000\n"),
        new("beta/tenant.yaml", "name: Beta\nworkspaces:\n  main:\n    discord_guild_id: \"323456789012345678\"\n"),
    ];

    [Fact]
    public void The_same_tenants_written_in_another_order_elsewhere_hash_alike()
    {
        using var first = new TempTenants();
        using var second = new TempTenants();
        first.WriteAll(Files);
        second.WriteAll(Files.Reverse());
        File.SetLastWriteTimeUtc(second.PathOf("acme/budgets.yaml"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var hash = first.Load().ContentHash;

        Assert.Matches("^[0-9a-f]{16}$", hash);
        Assert.Equal(hash, second.Load().ContentHash);
        Assert.Equal(hash, first.Load().ContentHash);
    }

    [Fact]
    public void Comments_key_order_and_how_a_number_is_written_do_not_count()
    {
        using var first = new TempTenants();
        using var second = new TempTenants();
        first.WriteAll(Files);
        second.WriteAll(Files)
            .Write("acme/budgets.yaml", "# the cap the board agreed\nenforcement: hard\ndaily_cap_usd: 5.00\n")
            .Write("acme/routing.yaml", "models:\n  summarise: openai/gpt-4o\n  default: openai/gpt-4o-mini\nallowed_models: [openai/gpt-4o-mini, openai/gpt-4o]\n");

        Assert.Equal(first.Load().ContentHash, second.Load().ContentHash);
    }

    [Theory]
    [InlineData("acme/budgets.yaml", "daily_cap_usd: 6\nenforcement: hard\n")]
    [InlineData("acme/policy_overrides.yaml", "requests_per_minute: 61\ntokens_per_minute: 10000\n")]
    [InlineData("acme/routing.yaml", "allowed_models: [openai/gpt-4o, openai/gpt-4o-mini]\nmodels:\n  default: openai/gpt-4o-mini\n  summarise: openai/gpt-4o\n")]
    [InlineData("_global.yaml", "budgets:\n  monthly_cap_usd: 101\npricing:\n  unknown_model:\n    prompt: 0.00001\n    completion: 0.00003\n")]
    [InlineData("beta/tenant.yaml", "name: Beta\nworkspaces:\n  main:\n    discord_guild_id: \"323456789012345679\"\n")]
    [InlineData("gamma/tenant.yaml", "name: Gamma\nworkspaces:\n  main: {}\n")]
    public void One_changed_setting_changes_the_hash(string file, string content)
    {
        using var first = new TempTenants();
        using var second = new TempTenants();
        first.WriteAll(Files);
        second.WriteAll(Files).Write(file, content);

        var changed = second.Load();

        Assert.Empty(changed.Problems);
        Assert.NotEqual(first.Load().ContentHash, changed.ContentHash);
    }
}
