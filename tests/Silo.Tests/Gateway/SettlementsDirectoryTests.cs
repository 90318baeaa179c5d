using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenAI.Chat;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Silo.Hosting;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary><c>Tenancy:SettlementsDirectory</c>: the settlement journal in a folder of its own, as a deployment sets it.</summary>
public sealed class SettlementsDirectoryTests : IDisposable
{
    private readonly string _settlements = Path.Combine(Path.GetTempPath(), "settlements-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_settlements))
        {
            Directory.Delete(_settlements, recursive: true);
        }
    }

    [Fact]
    public async Task The_journal_is_kept_in_the_configured_folder_locked_to_the_silo_and_read_again_from_it_after_a_restart()
    {
        await using var host = await GatewayHost.StartAsync(settings: new Dictionary<string, string> { ["Tenancy:SettlementsDirectory"] = _settlements });
        Assert.NotNull((await host.OpenAiChat(host.StaffKey).CompleteChatAsync([new UserChatMessage("Say hello")])).Value);

        // Answered once its settlement was flushed to a journal segment, in the configured folder and nowhere else.
        Assert.NotEmpty(Directory.GetFiles(_settlements, "journal-*.log"));
        Assert.False(Directory.Exists(Path.Combine(host.DataPath, "settlements")));
        var held = Assert.Throws<DataDirectoryInUseException>(() => DataDirectoryLock.Acquire(_settlements));
        Assert.Contains(_settlements, held.Message, StringComparison.Ordinal);

        await host.SettledAsync();
        var kept = new PendingSettlement(
            "acme",
            new SettleRequest { RequestId = "kept-" + Guid.NewGuid().ToString("N"), Workspace = "staff", ActualCostUsd = 0.25m, PromptTokens = 10, CompletionTokens = 20 },
            new ExecutionDetails { Status = "ok", Model = "openai/gpt-4o-mini" });
        await host.RestartAsync(() => new FileSettlementOutbox(_settlements, NullLogger<FileSettlementOutbox>.Instance).SaveAsync(kept));
        await host.SettledAsync();

        using var admin = host.CreateAdminClient();
        var usage = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants/acme/executions", UriKind.Relative));
        var rows = usage.GetProperty("items").EnumerateArray().ToList();
        Assert.Single(rows, r => r.GetProperty("request_id").GetString() == kept.Settlement.RequestId);
    }

    [Fact]
    public async Task The_data_directory_itself_is_refused_as_the_settlements_folder_naming_the_setting()
    {
        await using var sameAsData = await GatewayHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tenancy:DataDirectory"] = _settlements,
            ["Tenancy:SettlementsDirectory"] = _settlements + Path.DirectorySeparatorChar,
        });

        var error = Assert.Throws<OptionsValidationException>(() => sameAsData.CreateClient());

        Assert.Contains("Tenancy:SettlementsDirectory must be a folder of its own", error.Message, StringComparison.Ordinal);
    }
}
