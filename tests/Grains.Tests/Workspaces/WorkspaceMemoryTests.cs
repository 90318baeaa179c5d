using OrleansTenancy.GrainInterfaces;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Workspaces;

[Collection(WorkspaceClusterCollection.Name)]
public sealed class WorkspaceMemoryTests(WorkspaceClusterFixture fixture)
{
    [Fact]
    public async Task Added_entries_come_back_newest_first_with_ids_times_and_metadata()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        var ns = TenantContext.MemNs(ctx, "notes");

        var first = await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "first", Metadata = new Dictionary<string, string> { ["kind"] = "a" } });
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "second" });
        var third = await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "third" });

        Assert.Equal(32, first.Id.Length);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(ns, first.Namespace);
        Assert.Equal("a", first.Metadata["kind"]);
        Assert.Equal(second.CreatedAt, third.CreatedAt);
        Assert.Equal(TimeSpan.FromSeconds(1), second.CreatedAt - first.CreatedAt);

        var all = await grain.RetrieveAsync(new MemoryQuery { Namespace = ns });
        // Equal clock times (second, third) are still ordered by write.
        Assert.Equal(["third", "second", "first"], all.Select(e => e.Text));
        Assert.Equal(first, all[2] with { Metadata = first.Metadata });
        Assert.Equal("a", all[2].Metadata["kind"]);
    }

    [Fact]
    public async Task Retrieve_matches_substrings_and_metadata_ignoring_case_and_honours_the_limit()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        var ns = TenantContext.MemNs(ctx, "faq");
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "Reset your PASSWORD here", Metadata = new Dictionary<string, string> { ["Topic"] = "Account" } });
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "password rules", Metadata = new Dictionary<string, string> { ["topic"] = "security", ["lang"] = "en" } });
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "Billing cycles", Metadata = new Dictionary<string, string> { ["TOPIC"] = "ACCOUNT" } });

        var byText = await grain.RetrieveAsync(new MemoryQuery { Namespace = ns, Contains = "PassWord" });
        Assert.Equal(["password rules", "Reset your PASSWORD here"], byText.Select(e => e.Text));

        var byMetadata = await grain.RetrieveAsync(new MemoryQuery { Namespace = ns, Metadata = new Dictionary<string, string> { ["topic"] = "account" } });
        Assert.Equal(["Billing cycles", "Reset your PASSWORD here"], byMetadata.Select(e => e.Text));

        var both = await grain.RetrieveAsync(new MemoryQuery { Namespace = ns, Contains = "password", Metadata = new Dictionary<string, string> { ["TOPIC"] = "Account" } });
        Assert.Equal(["Reset your PASSWORD here"], both.Select(e => e.Text));

        // Every filter pair must match; a value is compared whole, not as a substring.
        Assert.Empty(await grain.RetrieveAsync(new MemoryQuery { Namespace = ns, Metadata = new Dictionary<string, string> { ["topic"] = "security", ["lang"] = "de" } }));
        Assert.Empty(await grain.RetrieveAsync(new MemoryQuery { Namespace = ns, Metadata = new Dictionary<string, string> { ["topic"] = "acc" } }));
        Assert.Empty(await grain.RetrieveAsync(new MemoryQuery { Namespace = ns, Metadata = new Dictionary<string, string> { ["missing"] = "x" } }));

        var limited = await grain.RetrieveAsync(new MemoryQuery { Namespace = ns, Limit = 2 });
        Assert.Equal(["Billing cycles", "password rules"], limited.Select(e => e.Text));

        var tooMany = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.RetrieveAsync(new MemoryQuery { Namespace = ns, Limit = 101 }));
        Assert.Contains("MemoryQuery.Limit is 101", tooMany.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.RetrieveAsync(new MemoryQuery { Namespace = ns, Limit = 0 }));
        Assert.Empty(await grain.RetrieveAsync(new MemoryQuery { Namespace = TenantContext.MemNs(ctx, "never-written") }));
    }

    [Fact]
    public async Task Adding_with_an_existing_id_replaces_the_entry_keeps_its_creation_time_and_makes_it_newest()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        var ns = TenantContext.MemNs(ctx, "profile");
        var original = await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Id = "pref", Text = "likes tea", Metadata = new Dictionary<string, string> { ["v"] = "1" } });
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "other" });
        fixture.Time.Advance(TimeSpan.FromMinutes(1));

        var replaced = await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Id = "pref", Text = "likes coffee" });

        Assert.Equal("pref", replaced.Id);
        Assert.Equal(original.CreatedAt, replaced.CreatedAt);
        Assert.Equal(original.CreatedAt + TimeSpan.FromMinutes(1), replaced.UpdatedAt);
        Assert.Empty(replaced.Metadata);
        var all = await grain.RetrieveAsync(new MemoryQuery { Namespace = ns });
        Assert.Equal(["likes coffee", "other"], all.Select(e => e.Text));
        Assert.Equal([new MemoryNamespaceInfo(ns, 2)], await grain.ListNamespacesAsync());
    }

    [Fact]
    public async Task Delete_removes_one_entry_or_a_namespace_and_list_shows_what_is_left()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        var a = TenantContext.MemNs(ctx, "a");
        var b = TenantContext.MemNs(ctx, "b");
        var keep = await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = a, Text = "keep" });
        var drop = await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = a, Text = "drop" });
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = b, Text = "b1" });
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = b, Text = "b2" });
        Assert.Equal([new MemoryNamespaceInfo(a, 2), new MemoryNamespaceInfo(b, 2)], await grain.ListNamespacesAsync());

        Assert.True(await grain.DeleteAsync(a, drop.Id));
        Assert.False(await grain.DeleteAsync(a, drop.Id));
        Assert.False(await grain.DeleteAsync(b, keep.Id));
        Assert.Equal(["keep"], (await grain.RetrieveAsync(new MemoryQuery { Namespace = a })).Select(e => e.Text));

        Assert.Equal(2, await grain.DeleteNamespaceAsync(b));
        Assert.Equal(0, await grain.DeleteNamespaceAsync(b));
        Assert.Equal([new MemoryNamespaceInfo(a, 1)], await grain.ListNamespacesAsync());

        Assert.True(await grain.DeleteAsync(a, keep.Id));
        Assert.Empty(await grain.ListNamespacesAsync());
    }

    [Fact]
    public async Task Malformed_input_is_refused_with_a_message_naming_the_value()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        var ns = TenantContext.MemNs(ctx, "n");

        var blank = await Assert.ThrowsAsync<ArgumentException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "  " }));
        Assert.Contains("MemoryAddRequest.Text is empty", blank.Message, StringComparison.Ordinal);

        var emptyNs = await Assert.ThrowsAsync<ArgumentException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = "", Text = "x" }));
        Assert.Contains($"'{ctx.Tenant}:{ctx.Workspace}:<name>'", emptyNs.Message, StringComparison.Ordinal);

        var noName = await Assert.ThrowsAsync<ArgumentException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = $"{ctx}:", Text = "x" }));
        Assert.Contains("it must be 1 to 128", noName.Message, StringComparison.Ordinal);

        var longName = TenantContext.MemNs(ctx, new string('n', 129));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = longName, Text = "x" }));
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, new string('n', 128)), Text = "x" });

        var control = await Assert.ThrowsAsync<ArgumentException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns + "\n", Text = "x" }));
        Assert.Contains("control character", control.Message, StringComparison.Ordinal);

        var duplicateKey = await Assert.ThrowsAsync<ArgumentException>(() => grain.AddMemoryAsync(new MemoryAddRequest
        {
            Namespace = ns,
            Text = "x",
            Metadata = new Dictionary<string, string> { ["Lang"] = "en", ["lang"] = "de" },
        }));
        Assert.Contains("'lang' appears twice ignoring case", duplicateKey.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<ArgumentException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "x", Id = " " }));
        Assert.Single(await grain.ListNamespacesAsync());
    }
}
