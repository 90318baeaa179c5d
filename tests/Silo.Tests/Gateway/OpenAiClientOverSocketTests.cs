using System.ClientModel;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>The official OpenAI client with its default transport against the silo listening on a real port.</summary>
public sealed class OpenAiClientOverSocketTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Plain_and_streaming_completions_work_over_http()
    {
        var chat = _host.OpenAiChatOverSocket(_host.StaffKey);

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Say hello")]);
        var streamed = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Tell me a story")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.True(streamed.Length > 0);
        Assert.Equal(2, _host.Simulator.Requests.Count);
    }

    [Fact]
    public async Task A_budget_refusal_over_http_is_402_naming_the_limit()
    {
        var chat = _host.OpenAiChatOverSocket(_host.BrokeKey);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(402, refused.Status);
        var budget = JsonDocument.Parse(refused.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error").GetProperty("budget");
        Assert.Equal("cost_usd", budget.GetProperty("limit_kind").GetString());
        Assert.Equal(0.000001m, budget.GetProperty("limit").GetDecimal());
    }
}
