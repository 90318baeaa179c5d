using System.Net;
using System.Text;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Tests;

/// <summary>SSE framing cases the simulator does not produce, fed to the client from a canned response.</summary>
public sealed class StreamParserTests
{
    [Fact]
    public async Task Parser_follows_sse_framing_and_reports_a_stream_cut_before_done()
    {
        const string body =
            ": OPENROUTER PROCESSING\n\n" +
            "data:{\"id\":\"gen-1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\n" +
            ": OPENROUTER PROCESSING\r\n\r\n" +
            "event: message\n" +
            "data: {\"id\":\"gen-1\",\"model\":\"m\",\n" +
            "data: \"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n" +
            "data: {\"id\":\"gen-1\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5,\"cost\":0.5}}\n\n";
        using var http = new HttpClient(new CannedHandler(body));
        var client = new OpenRouterClient(http, new OpenRouterOptions { BaseUrl = new Uri("http://canned.invalid/api/v1") });
        await using var stream = await client.StartStreamAsync(new ChatCompletionRequest { Model = "m", Messages = [ChatMessage.Create("user", "hi")] });

        var text = new StringBuilder();
        var error = await Assert.ThrowsAsync<OpenRouterException>(async () =>
        {
            await foreach (var chunk in stream.ReadChunksAsync())
            {
                text.Append(string.Concat(chunk.Choices.Select(choice => choice.Delta?.Content)));
            }
        });

        Assert.Equal("Hello", text.ToString());
        Assert.Equal(2, stream.CommentLines);
        Assert.Equal(0.5m, stream.Usage!.Cost);
        Assert.Contains("[DONE]", error.Message, StringComparison.Ordinal);
        Assert.True(error.OutputStarted);
        Assert.False(stream.Completed);
    }

    [Fact]
    public async Task Error_body_that_is_not_openrouter_json_keeps_status_and_text()
    {
        using var http = new HttpClient(new CannedHandler("<html>bad gateway</html>", HttpStatusCode.BadGateway));
        var client = new OpenRouterClient(http, new OpenRouterOptions { BaseUrl = new Uri("http://canned.invalid/api/v1"), MaxRetries = 0 });

        var error = await Assert.ThrowsAsync<OpenRouterException>(() =>
            client.CompleteAsync(new ChatCompletionRequest { Model = "m", Messages = [ChatMessage.Create("user", "hi")] }));

        Assert.Equal(OpenRouterErrorKind.BadGateway, error.Kind);
        Assert.Contains("<html>bad gateway</html>", error.Message, StringComparison.Ordinal);
    }

    private sealed class CannedHandler(string body, HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "text/event-stream") });
    }
}
