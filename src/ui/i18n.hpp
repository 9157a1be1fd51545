#pragma once
// Every UI string goes through this one table: English and Simplified Chinese side by side.
// The language follows the system locale (LANG/LC_ALL/LC_MESSAGES starting with "zh") and can be
// switched at run time; tr() returns a pointer into static storage (valid forever).
#include <cstdint>
#include <string>
#include <system_error>

#include "core/net/error_text.hpp"

namespace sockscope::ui {

enum class Language : std::uint8_t { English, Chinese };

// X(id, English, Chinese)
#define SOCKSCOPE_UI_STRINGS(X)                                                                   \
    X(AppTitle, "Sockscope", "Sockscope")                                                          \
    X(MenuFile, "File", "文件")                                                                    \
    X(MenuEndpoint, "Endpoint", "端点")                                                            \
    X(MenuView, "View", "视图")                                                                    \
    X(MenuHelp, "Help", "帮助")                                                                    \
    X(NewProfile, "New workspace", "新建工作区")                                                   \
    X(OpenProfile, "Open profile...", "打开配置...")                                               \
    X(SaveProfile, "Save", "保存")                                                                 \
    X(SaveProfileAs, "Save as...", "另存为...")                                                    \
    X(RecentProfiles, "Recent profiles", "最近的配置")                                             \
    X(NoRecent, "(none)", "（无）")                                                                \
    X(ExampleProfiles, "Example profiles", "示例配置")                                            \
    X(Quit, "Quit", "退出")                                                                        \
    X(Settings, "Settings", "设置")                                                                \
    X(Shortcuts, "Keyboard shortcuts", "快捷键")                                                   \
    X(ThemeDark, "Dark theme", "深色主题")                                                         \
    X(ThemeLight, "Light theme", "浅色主题")                                                       \
    X(Theme, "Theme", "主题")                                                                      \
    X(Language, "Language", "语言")                                                                \
    X(FontScale, "Font size", "字体大小")                                                          \
    X(Workspace, "Workspace", "工作区")                                                            \
    X(NewEndpoint, "New", "新建")                                                                  \
    X(NewTcpServer, "New TCP server", "新建 TCP 服务器")                                           \
    X(NewTcpClient, "New TCP client", "新建 TCP 客户端")                                           \
    X(NewUdp, "New UDP endpoint", "新建 UDP 端点")                                                 \
    X(Edit, "Edit...", "编辑...")                                                                  \
    X(Duplicate, "Duplicate", "复制")                                                              \
    X(Start, "Start", "启动")                                                                      \
    X(Stop, "Stop", "停止")                                                                        \
    X(Delete, "Delete", "删除")                                                                    \
    X(NoEndpoints, "No endpoints yet. Create one:", "还没有端点。新建一个：")                      \
    X(TypeTcpServer, "TCP server", "TCP 服务器")                                                   \
    X(TypeTcpClient, "TCP client", "TCP 客户端")                                                   \
    X(TypeUdp, "UDP", "UDP")                                                                       \
    X(StStopped, "stopped", "已停止")                                                              \
    X(StResolving, "resolving", "解析中")                                                          \
    X(StConnecting, "connecting", "连接中")                                                        \
    X(StListening, "listening", "监听中")                                                          \
    X(StBound, "bound", "已绑定")                                                                  \
    X(StConnected, "connected", "已连接")                                                          \
    X(StRetryIn, "retry in %.1f s", "%.1f 秒后重连")                                               \
    X(StFailed, "error", "错误")                                                                   \
    X(Connections, "Connections", "连接")                                                          \
    X(ColPeer, "Peer", "对端")                                                                     \
    X(ColLocal, "Local", "本地")                                                                   \
    X(ColState, "TCP state", "TCP 状态")                                                           \
    X(ColRtt, "RTT", "RTT")                                                                        \
    X(ColRetrans, "Retr.", "重传")                                                                 \
    X(ColQueues, "SendQ/RecvQ", "发送/接收队列")                                                   \
    X(ColRx, "Rx", "接收")                                                                         \
    X(ColTx, "Tx", "发送")                                                                         \
    X(ColAge, "Age", "时长")                                                                       \
    X(ColActions, "Actions", "操作")                                                               \
    X(CloseFin, "Close", "关闭")                                                                   \
    X(HalfClose, "Half-close", "半关闭")                                                           \
    X(ResetRst, "Reset", "复位")                                                                   \
    X(CloseAll, "Close all", "全部关闭")                                                           \
    X(ResetAll, "Reset all", "全部复位")                                                           \
    X(ClearClosed, "Clear closed", "清除已关闭")                                                   \
    X(TipCloseFin, "Graceful close: send FIN after queued data is written",                        \
      "正常关闭：发送完队列中的数据后发送 FIN")                                                     \
    X(TipHalfClose, "Half-close: send FIN (shutdown write) but keep reading",                      \
      "半关闭：发送 FIN（关闭写方向），继续接收")                                                   \
    X(TipResetRst, "Abort: send RST at once; queued data is discarded",                            \
      "中止：立即发送 RST，丢弃队列中的数据")                                                       \
    X(TipQueues, "Bytes in the kernel's send queue (not yet acknowledged by the peer) / receive queue (not yet read by Sockscope)", \
      "内核发送队列中（对端尚未确认）/ 接收队列中（Sockscope 尚未读取）的字节数")                   \
    X(OwnQueue, "+%s", "+%s")                                                                      \
    X(TipOwnQueue, "%s more wait in Sockscope's own send queue for this connection: the kernel's send queue is full because the peer does not read (or reads slowly). They leave as the peer reads; Reset discards them.", \
      "另有 %s 在 Sockscope 自己的发送队列中等待：对端不读取（或读得慢），内核发送队列已满。对端读取后才会发出；复位会丢弃它们。") \
    X(ClosingQueued, "closing: %s to send", "关闭中：还有 %s 待发送")                              \
    X(TipClosingQueued, "The close waits until the send queue is sent (the peer has to read it); then the FIN goes. Reset closes at once and discards it.", \
      "关闭要等发送队列发完（须对端读取）后才发送 FIN。复位会立即关闭并丢弃队列。")                 \
    X(NoSelection, "Select an endpoint on the left.", "请在左侧选择一个端点。")                    \
    X(NoConnections, "No connections.", "没有连接。")                                              \
    X(Closed, "closed", "已关闭")                                                                  \
    X(ConnCount, "%zu conn", "%zu 个连接")                                                      \
    X(MoreConnections, "... %zu more (see Connections)", "……还有 %zu 个（见连接表）")        \
    X(PeerFin, "peer FIN", "对端 FIN")                                                             \
    X(PortSockets, "Port %u sockets:", "端口 %u 的套接字：")                                       \
    X(UdpTotals, "%s %s (%s msgs)   %s %s (%s msgs)", "%s %s（%s 条消息）   %s %s（%s 条消息）")         \
    X(UdpDropped, "dropped: %llu (queue)  %llu (kernel)", "丢弃：%llu（队列）  %llu（内核）")          \
    X(Log, "Log", "日志")                                                                          \
    X(ColTime, "Time", "时间")                                                                     \
    X(ColDir, "Dir", "方向")                                                                       \
    X(ColConn, "Conn", "连接")                                                                     \
    X(ColLen, "Len", "长度")                                                                       \
    X(ColHex, "Hex", "十六进制")                                                                   \
    X(ColText, "Text", "文本")                                                                     \
    X(TimeAbsolute, "Absolute", "绝对时间")                                                        \
    X(TimeRelative, "Since start", "相对开始")                                                     \
    X(TimeDelta, "Delta", "间隔")                                                                  \
    X(TimeMode, "Time", "时间")                                                                    \
    X(Pause, "Pause", "暂停")                                                                      \
    X(Resume, "Resume", "继续")                                                                    \
    X(ClearLog, "Clear", "清空")                                                                   \
    X(Copy, "Copy", "复制")                                                                        \
    X(TipCopy, "Copy the selected rows (click a row, Shift+click another for a range)",           \
      "复制所选的行（点击一行，Shift+点击另一行选择范围）")                                         \
    X(CopyHex, "Copy hex", "复制十六进制")                                                         \
    X(CopyText, "Copy text", "复制文本")                                                           \
    X(AutoScroll, "Follow", "自动滚动")                                                            \
    X(Search, "Find", "查找")                                                                      \
    X(TipSearch, "Find: rows containing this text (any case unless Aa; data rows in the display encoding), hex bytes or a regex." \
      " hex:01 03 finds these bytes.", "查找包含此文本的行（除非开启 Aa，否则不区分大小写；数据行按显示编码）、十六进制字节或正则表达式。" \
      "hex:01 03 查找这些字节。")                                                                  \
    X(ScopeAll, "All endpoints", "全部端点")                                                       \
    X(ScopeEndpoint, "Selected endpoint", "所选端点")                                              \
    X(ScopeConnection, "Selected connection", "所选连接")                                          \
    X(ShowRx, "Rx", "收")                                                                          \
    X(ShowTx, "Tx", "发")                                                                          \
    X(ShowEvents, "Events", "事件")                                                                \
    X(Evicted, "%s evicted", "已淘汰 %s 行")                                                   \
    X(TipEvicted, "The log is bounded: the oldest rows were dropped to make room",                 \
      "日志有上限：最早的行已被丢弃以腾出空间")                                                     \
    X(Messages, "%s rows", "%s 行")                                                              \
    X(PausedRows, "paused (%s new)", "已暂停（%s 条新）")                                        \
    X(Encoding, "Encoding", "编码")                                                                \
    X(Detail, "Detail", "详情")                                                                    \
    X(DetailLatest, "newest row; click a row to pin it", "最新一行；点击某行可固定显示")      \
    X(NoRowSelected, "Select a row to see its bytes.", "选择一行查看其字节。")                     \
    /* --- log view, detail pane, copy, large send input (issue 6, log helper) --- */            \
    X(CopiedRows, "Copied %s of %s rows (%s limit)", "已复制 %s / %s 行（上限 %s）")              \
    X(CopiedAll, "Copied %s rows", "已复制 %s 行")                                                 \
    X(DetailSplitting, "splitting into lines: %d%%", "正在分行：%d%%")                             \
    X(DetailSeq, "seq", "序号")                                                                    \
    X(TipEvictedBy, "Evicted per endpoint:", "各端点被淘汰的行：")                                 \
    X(EvictedRowsBytes, "%s: %s rows, %s", "%s：%s 行，%s")                                      \
    X(EvHalfClosedByUs, "#%llu half-closed by us (FIN sent)", "#%llu 本端半关闭（已发送 FIN）")     \
    X(LargeInput, "%s in the input: shown as a summary (editing text this long is slow).",         \
      "输入内容 %s：以摘要显示（编辑如此长的文本会很慢）。")                                          \
    X(EditAnyway, "Edit anyway", "仍然编辑")                                                       \
    X(ClearInput, "Clear input", "清除输入")                                                       \
    X(DirRx, "RX", "收")                                                                           \
    X(DirTx, "TX", "发")                                                                           \
    X(DirInfo, "--", "--")                                                                         \
    X(DirError, "ERR", "错")                                                                       \
    X(Send, "Send", "发送")                                                                        \
    X(ModeText, "Text", "文本")                                                                    \
    X(ModeHex, "Hex", "十六进制")                                                                  \
    X(Escapes, "Escapes", "转义")                                                                  \
    X(TipEscapes, "Interpret \\r \\n \\t \\\\ \\xHH in text", "在文本中解释 \\r \\n \\t \\\\ \\xHH") \
    X(LineEnding, "Line end", "行尾")                                                              \
    X(Checksum, "Checksum", "校验")                                                                \
    X(ChecksumNone, "None", "无")                                                                  \
    X(OrderUsual, "Usual order", "惯例顺序")                                                       \
    X(OrderBig, "Big endian", "大端")                                                              \
    X(OrderLittle, "Little endian", "小端")                                                        \
    X(ChecksumSkip, "Skip", "跳过")                                                                \
    X(TipChecksumSkip, "Bytes left out of the checksum: at the start, at the end (a header, a trailer)", \
      "不参与校验的字节数：开头、结尾（帧头、帧尾）")                                               \
    X(ChecksumBeforeTrailer, "Before the trailer", "放在帧尾前")                                   \
    X(LeNone, "None", "无")                                                                        \
    X(Target, "Target", "目标")                                                                    \
    X(TargetAll, "All connections (%zu)", "全部连接（%zu）")                                       \
    X(TargetConn, "#%llu %s", "#%llu %s")                                                          \
    X(TargetClient, "The connection", "当前连接")                                                  \
    X(TargetClosed, "#%llu %s (closed)", "#%llu %s（已关闭）")                                     \
    X(TargetClosedBlocker, "The target connection #%llu is closed: pick another target (or All connections)", \
      "目标连接 #%llu 已关闭：请选择其他目标（或全部连接）")                                        \
    X(ModeKeptTemplates, "Not switched: input with templates has no fixed bytes to convert (clear it first)", \
      "未切换：含模板的输入没有固定字节可转换（请先清空）")                                        \
    X(ModeKeptNotText, "Not switched: these bytes cannot be written as text exactly", \
      "未切换：这些字节无法准确写成文本")                                                          \
    X(UdpDestination, "Destination", "目的地址")                                                   \
    X(UdpDefaultDest, "remote / last sender", "远端地址 / 最近的发送方")                           \
    X(History, "History", "历史")                                                                  \
    X(Commands, "Commands", "命令")                                                                \
    X(SaveAsCommand, "+ Save", "+ 保存")                                                           \
    X(TipSaveAsCommand, "Save the input as a command button (Ctrl+1..9 send the first nine)",     \
      "把输入保存为命令按钮（Ctrl+1..9 发送前九个）")                                              \
    X(CommandLoad, "Load into the input", "载入输入框")                                             \
    X(CommandReplace, "Replace with the input", "用输入框内容替换")                                 \
    X(CommandRename, "Rename...", "重命名...")                                                     \
    X(CommandRenameTitle, "Name of the saved command", "已存命令的名称")                           \
    X(CommandNameEmpty, "Give the command a name.", "请填写名称。")                                \
    X(CommandNameTaken, "Another saved command has this name.", "已有同名命令。")                  \
    X(MoveLeft, "Move left", "左移")                                                               \
    X(MoveRight, "Move right", "右移")                                                             \
    X(Timers, "Timers", "定时")                                                                    \
    X(TimerDefaultName, "timer", "定时")                                                           \
    X(TimerSent, "%s: %llu sent", "%s：已发 %llu")                                                 \
    X(TimerStartOnConnection, "Start, to connection #%llu only", "启动，仅发往连接 #%llu")          \
    X(TimerToConnection, " (to #%llu only)", "（仅发往 #%llu）")                                      \
    X(TimerSentCount, " %llu", " %llu")                                                                 \
    X(TimerFailedCount, " (%llu failed)", "（失败 %llu）")                                           \
    X(TimerDetail, "every %d ms; %llu skipped, %llu failed", "每 %d 毫秒；跳过 %llu，失败 %llu")      \
    X(RateAgo, "%d s ago", "%d 秒前")                                                             \
    X(RateLine, "%s %s/s, %.0f msgs/s", "%s %s/s，%.0f 条/秒")                                     \
    X(RatePeak, "peak %s/s over the last %d s", "峰值 %s/s（最近 %d 秒）")                          \
    X(ResetCounters, "Reset counters", "计数清零")                                                 \
    X(TipResetCounters, "Count from zero again (here and in the tree); the rate plots start over", \
      "从零重新计数（此处与左侧树）；速率图重新开始")                                               \
    X(ColActivity, "Last minute", "最近一分钟")                                                    \
    X(AddTimer, "+ Timer", "+ 定时")                                                               \
    X(TipAddTimer, "Send the input repeatedly: every N ms, N times or until stopped",             \
      "定时发送输入框内容：每 N 毫秒一次，发 N 次或直到停止")                                       \
    X(TimerEditTitle, "Timer", "定时发送")                                                        \
    X(TimerName, "Name", "名称")                                                                   \
    X(TimerEvery, "Every (ms)", "间隔（毫秒）")                                                     \
    X(TimerCount, "Times (0 = until stopped)", "次数（0 = 直到停止）")                             \
    X(TimerAutoStart, "Start with the endpoint", "随端点启动")                                     \
    X(TimerStartNow, "Start now", "立即开始")                                                      \
    X(TimerTo, "To (udp, empty = remote)", "发往（UDP，空 = 远端地址）")                            \
    X(TimerNameTaken, "Another timer has this name.", "已有同名定时。")                            \
    X(SourcesNotSaved, "Not saved: ", "未保存：")                                                  \
    X(SavedPayloadTooLarge, "\"%s\" is %s, over the %zu MiB a saved command, timer or on-connect payload may be (send a large payload with Send or Send file...)", \
      "“%s”有 %s，超过已保存命令、定时或连接时发送内容的上限 %zu MiB（大的内容请用发送或发送文件...）")  \
    X(ProfileWouldBeTooLarge, "the workspace would be %s, over the %u MiB a profile can be loaded with", \
      "工作区将有 %s，超过配置文件可加载的上限 %u MiB")                                           \
    X(TimerNameEmpty, "Give the timer a name.", "请填写名称。")                                    \
    X(EditEllipsis, "Edit...", "编辑...")                                                          \
    X(OnConnectSet, "On connect: %s", "连接时发送：%s")                                            \
    X(OnConnectAdd, "+ On connect", "+ 连接时发送")                                                \
    X(TipOnConnect, "A payload sent on every new connection (a login packet)",                   \
      "每个新连接建立时发送的内容（如登录包）")                                                    \
    X(OnConnectFromInput, "Set to the input", "设为输入框内容")                                    \
    X(OnConnectClear, "Clear", "清除")                                                             \
    X(NoTarget, "Select an endpoint to send.", "请选择要发送的端点。")                             \
    X(NotConnected, "Not connected.", "未连接。")                                                  \
    X(NoConnectionsToSend, "No connections to send to.", "没有可发送的连接。")                     \
    X(EmptyPayload, "Nothing to send.", "没有要发送的内容。")                                      \
    X(BytesReady, "%zu bytes", "%zu 字节")                                                         \
    X(ByteReady, "%zu byte", "%zu 字节")                                                           \
    X(SendHint, "Ctrl+Enter sends; Ctrl+Up/Down walks the history",                                \
      "Ctrl+Enter 发送；Ctrl+上/下 浏览历史")                                                       \
    X(StatusConns, "%zu connections", "%zu 个连接")                                                \
    X(StatusRates, "Rx %s/s  Tx %s/s", "收 %s/s  发 %s/s")                                         \
    X(StatusTotals, "Rx %s  Tx %s", "收 %s  发 %s")                                                \
    X(StatusLog, "Log %s / %s", "日志 %s / %s")                                                    \
    X(StatusFrame, "%.1f ms/frame", "%.1f 毫秒/帧")                                                \
    X(StatusDropped, "%llu events dropped", "丢弃 %llu 个事件")                                    \
    X(StatusUnsaved, "unsaved", "未保存")                                                          \
    X(EditEndpoint, "Endpoint", "端点")                                                            \
    X(Name, "Name", "名称")                                                                        \
    X(Type, "Type", "类型")                                                                        \
    X(BindAddress, "Local address", "本地地址")                                                    \
    X(RemoteAddress, "Remote address", "远端地址")                                                 \
    X(TipBindServer, "host:port to listen on. 0.0.0.0:PORT = all IPv4, [::]:PORT = IPv6 and IPv4 (dual-stack)", \
      "监听的 主机:端口。0.0.0.0:端口 = 所有 IPv4，[::]:端口 = IPv6 和 IPv4（双栈）")              \
    X(TipBindClient, "Optional local host:port to bind before connecting (empty = any)",          \
      "可选：连接前绑定的本地 主机:端口（留空 = 任意）")                                            \
    X(TipBindUdp, "host:port to receive on, e.g. 0.0.0.0:9000",                                   \
      "接收数据的 主机:端口，例如 0.0.0.0:9000")                                                    \
    X(TipRemoteClient, "host:port to connect to, e.g. 192.168.1.10:502 or [::1]:9000",            \
      "要连接的 主机:端口，例如 192.168.1.10:502 或 [::1]:9000")                                   \
    X(TipRemoteUdp, "Default destination host:port (empty = reply to the last sender)",           \
      "默认目的 主机:端口（留空 = 回复最近的发送方）")                                              \
    X(AddrOk, "ok", "正确")                                                                        \
    X(AddrInvalid, "expected host:port, e.g. 127.0.0.1:9000 or [::1]:9000",                       \
      "应为 主机:端口，例如 127.0.0.1:9000 或 [::1]:9000")                                          \
    X(AddrRequired, "required", "必填")                                                            \
    X(NameRequired, "a name is required", "需要名称")                                              \
    X(Echo, "Echo", "回显")                                                                        \
    X(TipEcho, "Send every received message back to its sender", "把收到的每条消息发回发送方")    \
    X(AutoStart, "Start on open", "打开时启动")                                                    \
    X(TipAutoStart, "Start this endpoint when the profile is opened", "打开配置时启动此端点")     \
    X(MaxConnections, "Max connections", "最大连接数")                                             \
    X(TipMaxConnections, "Further clients are accepted and closed at once (counted as rejected)", \
      "超出的客户端被接受后立即关闭（计为拒绝）")                                                   \
    X(OnPeerFin, "On peer FIN", "对端 FIN 时")                                                     \
    X(PeerFinTimeout, "Close after (s)", "超时后关闭（秒）")                                        \
    X(PeerFinAtOnce, "Close at once", "立即关闭")                                                  \
    X(PeerFinKeep, "Keep until I close", "保持直到手动关闭")                                       \
    X(TipOnPeerFin,                                                                                \
      "What this side does once the peer closed its side (FIN): stay half-open (CLOSE_WAIT) to "   \
      "watch or still send, then close after the timeout; close at once; or stay until you close " \
      "it (many such sockets fill up max connections). A reconnecting client always closes at once.", \
      "对端关闭其一侧（FIN）后本端的做法：保持半开（CLOSE_WAIT）以便观察或继续发送，超时后关闭；"   \
      "立即关闭；或一直保持直到手动关闭（过多此类连接会占满最大连接数）。自动重连的客户端总是立即关闭。") \
    X(TipCloseWaitTimeout, "Seconds to stay half-open (CLOSE_WAIT) after the peer's FIN before this side closes too", \
      "收到对端 FIN 后保持半开（CLOSE_WAIT）的秒数，之后本端也关闭")                                              \
    X(WriteQueueLimit, "Write queue limit (KiB)", "写队列上限（KiB）")                             \
    X(TipWriteQueueLimit, "Bytes queued per connection before sends fail", "每个连接排队的字节数上限，超过则发送失败") \
    X(ConnectTimeout, "Connect timeout (ms)", "连接超时（毫秒）")                                  \
    X(TipConnectTimeout, "Give up a connect attempt after this long", "连接尝试超过此时间则放弃")  \
    X(Reconnect, "Auto-reconnect", "自动重连")                                                     \
    X(TipReconnect, "Retry with exponential backoff after a failure or a close", "失败或断开后按指数退避重试") \
    X(ReconnectInitial, "First delay (ms)", "首次延迟（毫秒）")                                    \
    X(ReconnectMax, "Max delay (ms)", "最大延迟（毫秒）")                                          \
    X(ReconnectJitter, "Jitter", "抖动")                                                           \
    X(ReconnectAttempts, "Max attempts (0 = unlimited)", "最大次数（0 = 不限）")                   \
    X(Broadcast, "Broadcast", "广播")                                                              \
    X(TipBroadcast, "SO_BROADCAST: allow sending to broadcast addresses", "SO_BROADCAST：允许发送到广播地址") \
    X(ReplyToSender, "Reply to last sender", "回复最近的发送方")                                   \
    X(TipReplyToSender, "Sends without a destination go to the last sender", "未指定目的地址时发往最近的发送方") \
    X(Multicast, "Multicast", "组播")                                                              \
    X(Framing, "Framing", "分帧")                                                                  \
    X(FramingType, "Messages", "消息")                                                             \
    X(FramingRaw, "Raw (one per read)", "原始（每次读取一条）")                                    \
    X(FramingDelimiter, "Delimiter", "分隔符")                                                     \
    X(FramingFixed, "Fixed length", "固定长度")                                                    \
    X(FramingLength, "Length field", "长度字段")                                                   \
    X(FramingIdle, "Idle gap", "空闲间隔")                                                         \
    X(DelimiterHex, "Hex", "十六进制")                                                             \
    X(KeepDelimiter, "Keep delimiter", "保留分隔符")                                               \
    X(FrameLength, "Length (bytes)", "长度（字节）")                                               \
    X(FieldOffset, "Field offset", "字段偏移")                                                     \
    X(FieldSize, "Field size", "字段字节数")                                                       \
    X(FieldEndian, "Byte order", "字节序")                                                         \
    X(BigEndian, "Big endian", "大端")                                                             \
    X(LittleEndian, "Little endian", "小端")                                                       \
    X(LengthAdjust, "Adjust", "长度调整")                                                          \
    X(IdleGap, "Gap (ms)", "间隔（毫秒）")                                                         \
    X(MaxFrame, "Max frame", "最大帧长")                                                           \
    X(OnFramingError, "On error", "出错时")                                                        \
    X(FramingResync, "Resynchronise", "重新同步")                                                  \
    X(FramingClose, "Close the connection", "关闭连接")                                            \
    X(TipFraming, "How received bytes are cut into messages: the log and rx events show one row per message; " \
                  "statistics still count reads",                                                   \
      "如何把收到的字节切分成消息：日志和接收事件每条消息一行；统计仍按读取计数")                  \
    X(TipDelimiter, "Text with escapes (\\r \\n \\t \\xHH) or, with Hex, bytes such as 0d 0a",     \
      "带转义的文本（\\r \\n \\t \\xHH），或勾选十六进制后输入字节如 0d 0a")                       \
    X(TipLengthAdjust, "Total frame length = field value + adjust (Modbus TCP: offset 4, size 2, big endian, adjust 6)", \
      "帧总长 = 字段值 + 调整值（Modbus TCP：偏移 4，2 字节，大端，调整 6）")                      \
    X(TipMaxFrame, "Longer frames are a framing error: resynchronise (drop bytes) or close", \
      "超过此长度即为分帧错误：重新同步（丢弃字节）或关闭连接")                                    \
    X(MulticastGroup, "Group", "组地址")                                                           \
    X(MulticastInterface, "Interface", "接口")                                                     \
    X(TipMulticastGroup, "e.g. 239.1.2.3 or ff02::1:3", "例如 239.1.2.3 或 ff02::1:3")             \
    X(TipMulticastInterface, "IPv4 address or interface name; empty = OS default",                \
      "IPv4 地址或接口名；留空 = 系统默认")                                                         \
    X(AddGroup, "Add group", "添加组")                                                             \
    X(Remove, "Remove", "移除")                                                                    \
    X(MulticastTtl, "TTL / hops", "TTL / 跳数")                                                    \
    X(MulticastLoop, "Loopback", "环回")                                                           \
    X(TipMulticastLoop, "IP_MULTICAST_LOOP: receive our own multicast", "IP_MULTICAST_LOOP：接收本机发出的组播") \
    X(Interfaces, "Interfaces:", "网络接口：")                                                     \
    X(SocketOptions, "Socket options", "套接字选项")                                               \
    X(ReuseAddress, "SO_REUSEADDR", "SO_REUSEADDR")                                                \
    X(TipReuseAddress, "Restart over TIME_WAIT leftovers of a previous run", "可在上次运行遗留的 TIME_WAIT 之上重新绑定") \
    X(ReusePort, "SO_REUSEPORT", "SO_REUSEPORT")                                                   \
    X(TipReusePort, "Several sockets may bind the same port (where the OS has it)", "多个套接字可绑定同一端口（如系统支持）") \
    X(NoDelay, "TCP_NODELAY", "TCP_NODELAY")                                                       \
    X(TipNoDelay, "Disable Nagle: small writes leave at once", "禁用 Nagle：小数据立即发出")       \
    X(Keepalive, "Keepalive", "保活")                                                              \
    X(TipKeepalive, "SO_KEEPALIVE with idle/interval/count", "SO_KEEPALIVE，含空闲/间隔/次数")     \
    X(KeepIdle, "Idle (s)", "空闲（秒）")                                                          \
    X(KeepInterval, "Interval (s)", "间隔（秒）")                                                  \
    X(KeepCount, "Probes", "探测次数")                                                             \
    X(Linger, "SO_LINGER", "SO_LINGER")                                                            \
    X(TipLinger, "Set: close waits up to N seconds for queued data; 0 = RST on close",            \
      "启用：关闭时最多等待 N 秒发送队列数据；0 = 关闭时发送 RST")                                  \
    X(LingerSeconds, "Linger (s)", "逗留（秒）")                                                   \
    X(RecvBuffer, "SO_RCVBUF (0 = OS)", "SO_RCVBUF（0 = 系统）")                                   \
    X(SendBuffer, "SO_SNDBUF (0 = OS)", "SO_SNDBUF（0 = 系统）")                                   \
    X(TipBuffers, "Kernel buffer sizes in bytes; 0 keeps the OS default", "内核缓冲区字节数；0 为系统默认") \
    X(V6Only, "IPv6 only", "仅 IPv6")                                                              \
    X(TipV6Only, "IPV6_V6ONLY: Default = dual-stack for [::]", "IPV6_V6ONLY：默认 [::] 为双栈")    \
    X(V6Default, "Default", "默认")                                                                \
    X(V6Yes, "IPv6 only", "仅 IPv6")                                                               \
    X(V6No, "Dual-stack", "双栈")                                                                  \
    X(Backlog, "Listen backlog", "监听队列")                                                       \
    X(TipBacklog, "Pending connections the kernel queues before accept", "内核在 accept 之前排队的连接数") \
    X(Apply, "Apply", "应用")                                                                      \
    X(Cancel, "Cancel", "取消")                                                                    \
    X(Ok, "OK", "确定")                                                                            \
    X(Open, "Open", "打开")                                                                        \
    X(Save, "Save", "保存")                                                                        \
    X(Path, "Path", "路径")                                                                        \
    X(Up, "Up", "上级")                                                                            \
    X(FileExists, "The file exists and will be replaced.", "文件已存在，将被覆盖。")               \
    X(DiscardTitle, "Unsaved changes", "未保存的更改")                                             \
    X(DiscardText, "The workspace has unsaved changes. Save them first?", "工作区有未保存的更改。先保存吗？") \
    X(DontSave, "Discard", "不保存")                                                               \
    X(ProfileError, "Could not open the profile", "无法打开配置")                                  \
    X(SaveError, "Could not save", "无法保存")                                                     \
    X(Saved, "Saved %s", "已保存 %s")                                                              \
    X(Opened, "Opened %s", "已打开 %s")                                                            \
    X(ShortcutSend, "Send the payload", "发送数据")                                                \
    X(ShortcutSave, "Save the profile", "保存配置")                                                \
    X(ShortcutOpen, "Open a profile", "打开配置")                                                  \
    X(ShortcutClear, "Clear the log", "清空日志")                                                  \
    X(ShortcutHistory, "Previous / next sent payload", "上一条 / 下一条已发送数据")                \
    X(ShortcutCopy, "Copy selected log rows (hex)", "复制所选日志行（十六进制）")                  \
    X(ShortcutNew, "New endpoint", "新建端点")                                                     \
    X(ShortcutSavedCommand, "Send saved command 1..9 of the selected endpoint", "发送所选端点的第 1..9 个已保存命令") \
    X(ShortcutBookmark, "Bookmark the selected log row (again: remove)", "为所选日志行加书签（再按：取消）") \
    X(ShortcutFindNext, "Next / previous match of Find", "查找：下一个 / 上一个匹配")              \
    X(ShortcutDrop, "Drop a .json profile on the window to open it", "把 .json 配置拖到窗口上即可打开") \
    /* gui helper (issue 6): names, confirmations, file problems shown in the window */           \
    X(ShortcutDropKeys, "Drag & drop", "拖放")                                                     \
    X(NameTaken, "another endpoint has this name", "已有同名端点")                                 \
    X(DefaultInterface, "(default)", "（默认）")                                                   \
    X(HintLastSender, "(last sender)", "（最近的发送方）")                                         \
    X(HintAny, "(any)", "（任意）")                                                                \
    X(DiscardEditsTitle, "Discard changes?", "放弃更改？")                                         \
    X(DiscardEditsText, "This endpoint has changes that were not applied.", "此端点有尚未应用的更改。") \
    X(KeepEditing, "Keep editing", "继续编辑")                                                     \
    X(DeleteTitle, "Delete endpoint", "删除端点")                                                  \
    X(DeleteText, "Delete \"%s\"? Its connections are closed.", "删除“%s”？其连接将被关闭。")    \
    X(Dismiss, "Dismiss", "关闭提示")                                                              \
    X(AutosaveFailed, "The workspace is not being saved", "工作区无法自动保存")                    \
    X(SettingsSaveFailed, "Settings are not being saved", "设置无法保存")                          \
    X(SettingsSetAside, "settings.json had problems (%s); it was kept as %s and the rest of the settings were used", \
      "settings.json 有问题（%s）；已另存为 %s，其余设置照常使用")                                   \
    X(WorkspaceSetAside, "The last workspace could not be restored (%s); the file was kept as %s", \
      "无法恢复上次的工作区（%s）；该文件已另存为 %s")                                              \
    X(FileBusy, "Working...", "处理中...")                                                         \
    X(TcpStateUnknown, "state unknown", "状态未知")                                                \
    X(Close, "Close", "关闭")                                                                      \
    X(TextEncoding, "Text encoding", "文本编码")                                                   \
    X(EvAccepted, "connection #%llu from %s", "连接 #%llu 来自 %s")                                \
    X(EvConnected, "connected #%llu to %s", "已连接 #%llu 到 %s")                                  \
    X(EvPeerFin, "#%llu: peer sent FIN (half-closed)", "#%llu：对端发送 FIN（半关闭）")            \
    X(EvClosed, "#%llu closed: %s", "#%llu 已关闭：%s")                                            \
    X(EvState, "%s %s", "%s %s")                                                                   \
    X(EvError, "%s: %s", "%s：%s")                                                                 \
    X(EvOverflow, "UI too slow: %llu events dropped", "界面过慢：丢弃 %llu 个事件")                \
    X(ReasonLocalGraceful, "closed here (FIN)", "本端关闭（FIN）")                                 \
    X(ReasonLocalAbort, "reset here (RST)", "本端复位（RST）")                                     \
    X(ReasonPeerClosed, "peer closed", "对端关闭")                                                 \
    X(ReasonPeerReset, "peer reset (RST)", "对端复位（RST）")                                      \
    X(ReasonError, "error", "错误")                                                                \
    X(ReasonShutdown, "endpoint stopped", "端点已停止")                                            \
    X(ReasonRejected, "rejected (max connections)", "已拒绝（超过最大连接数）")                    \
    X(Running, "Running", "运行中")                                                                \
    X(RulesTitle, "Auto-reply rules", "自动应答规则")                                              \
    X(RulesLabel, "Rules", "规则")                                                                 \
    X(RulePaused, "paused by the storm guard", "已被风暴保护暂停")                                 \
    X(RuleResume, "Resume", "恢复")                                                                \
    X(RuleResumeAll, "Resume all", "全部恢复")                                                     \
    X(RulesMore, "+%zu more: %llu hits, %zu paused", "另 %zu 条：命中 %llu 次，%zu 条已暂停")      \
    X(RuleAdd, "+ Rule", "+ 规则")                                                                 \
    X(RuleName, "Name", "名称")                                                                    \
    X(RuleMatch, "Match", "匹配")                                                                  \
    X(RuleMatchAny, "any message", "任意消息")                                                     \
    X(RuleMatchText, "text", "文本")                                                               \
    X(RuleMatchHex, "hex (?? = any byte)", "十六进制（?? = 任意字节）")                            \
    X(RuleModeExact, "exact", "完全相同")                                                          \
    X(RuleModePrefix, "prefix", "前缀")                                                            \
    X(RuleModeContains, "contains", "包含")                                                        \
    X(RuleModeRegex, "regex", "正则表达式")                                                        \
    X(RuleReply, "Reply", "应答")                                                                  \
    X(RuleReplyHex, "Hex", "十六进制")                                                             \
    X(RuleNoReply, "No reply", "不应答")                                                           \
    X(RuleDelay, "Delay ms", "延迟 ms")                                                            \
    X(RuleTimes, "Times (0 = always)", "次数（0 = 总是）")                                         \
    X(RuleThen, "Then", "然后")                                                                    \
    X(RuleKeepOpen, "keep the connection", "保持连接")                                             \
    X(RuleCloseFin, "close (FIN)", "关闭（FIN）")                                                  \
    X(RuleCloseRst, "reset (RST)", "复位（RST）")                                                  \
    X(RuleContinue, "Continue with the next rules", "继续匹配后续规则")                            \
    X(RuleEnabled, "Enabled", "启用")                                                              \
    X(RuleUp, "Up", "上移")                                                                        \
    X(RuleDown, "Down", "下移")                                                                    \
    X(RuleDelete, "Delete", "删除")                                                                \
    X(RuleHits, "%llu hits", "命中 %llu 次")                                                       \
    X(StormLimit, "Storm limit (per second, 0 = off)", "风暴限制（每秒，0 = 关闭）")               \
    X(TipStormLimit, "A rule that fires more often than this per second is paused and reported, so two "   \
      "answering peers cannot loop for ever.", "规则每秒触发超过此次数即暂停并报告，防止两个互相应答的对端无限循环。") \
    X(TryIt, "Try it", "试一试")                                                                   \
    X(TryItHex, "Hex", "十六进制")                                                                 \
    X(TryItNoMatch, "no rule matches", "没有规则匹配")                                             \
    X(TryItMatches, "rule %d \"%s\" matches", "规则 %d “%s” 匹配")                               \
    X(TryItReplyHex, "reply (hex): %s", "应答（十六进制）：%s")                                    \
    X(TryItReplyText, "reply (text): %s", "应答（文本）：%s")                                      \
    X(TryItNoReply, "no reply (the rule only closes or counts)", "无应答（该规则只关闭或计数）")   \
    X(TipTryIt, "Paste one message as the peer would send it (after framing): see which rule answers and " \
      "the exact reply bytes, checksum included.", "粘贴对端发送的一条消息（分帧后）：查看哪条规则应答及确切的应答字节（含校验）。") \
    X(ScriptsTitle, "Scripts", "脚本")                                                            \
    X(ScriptRun, "Run", "运行")                                                                   \
    X(ScriptStop, "Stop", "停止")                                                                 \
    X(ScriptStep, "Step", "步骤")                                                                 \
    X(ScriptResult, "Result", "结果")                                                             \
    X(ScriptRuns, "Runs", "次数")                                                                 \
    X(ScriptLatency, "Latency µs min / median / p95 / max", "延迟 µs 最小 / 中位 / p95 / 最大")   \
    X(ScriptPass, "pass", "通过")                                                                 \
    X(ScriptFail, "FAIL", "失败")                                                                 \
    X(ScriptTimeout, "TIMEOUT", "超时")                                                           \
    X(ScriptClosed, "CLOSED", "已关闭")                                                           \
    X(ScriptPassed, "passed", "已通过")                                                           \
    X(ScriptFailedRun, "failed", "未通过")                                                        \
    X(ScriptRunning, "running", "运行中")                                                         \
    X(ScriptHistogram, "Latency histogram (µs)", "延迟直方图（µs）")                              \
    X(ScriptExpected, "expected", "期望")                                                         \
    X(ScriptReceived, "received", "收到") \
    X(MenuRecording, "Recording...", "录制...")                                                    \
    X(RecTitle, "Recording", "录制")                                                               \
    X(RecFile, "File", "文件")                                                                     \
    X(RecFormat, "Format", "格式")                                                                 \
    X(RecFormatAuto, "from the extension", "按扩展名")                                             \
    X(RecScope, "Scope", "范围")                                                                   \
    X(RecScopeAll, "everything", "全部")                                                           \
    X(RecOnFull, "When the disk falls behind", "磁盘跟不上时")                                     \
    X(RecPause, "pause TCP reads", "暂停 TCP 读取")                                                \
    X(RecDrop, "drop and count", "丢弃并计数")                                                     \
    X(RecRotateMb, "New file every MB (0: never)", "每多少 MB 换新文件（0：不换）")                \
    X(RecKeep, "Files kept (0: all)", "保留文件数（0：全部）")                                     \
    X(RecStart, "Start recording", "开始录制")                                                     \
    X(RecStop, "Stop", "停止")                                                                     \
    X(RecInProfile, "Save in the profile", "保存到配置")                                           \
    X(RecProfileColumn, "Profile", "配置")                                                         \
    X(RecInProfileTip, "Saved with the profile: it starts again when the profile is opened. Untick to record only now.", \
      "随配置保存：打开该配置时重新开始录制。取消勾选则只录制这一次。")                            \
    X(RecFailedLeftProfile, "It failed to start, so it is no longer saved in the profile (tick its Profile box to keep it).", \
      "录制启动失败，已不再保存到配置（勾选其“配置”框可保留）。")                                 \
    X(RecStoppedLeftProfile, "Stopped, so it is no longer saved in the profile (tick its Profile box to start it with the profile again).", \
      "已停止，不再保存到配置（勾选其“配置”框可在打开配置时重新开始录制）。")                    \
    X(RecNone, "No recorders yet.", "还没有录制。")                                                \
    X(RecState, "State", "状态")                                                                   \
    X(RecWritten, "Written", "已写入")                                                             \
    X(RecRecords, "Events", "事件")                                                                \
    X(RecDropped, "Dropped", "丢弃")                                                               \
    X(RecPauses, "Pauses", "暂停次数")                                                             \
    X(RecRunning, "recording", "录制中")                                                           \
    X(RecStopped, "stopped", "已停止")                                                             \
    X(RecFailed, "failed", "失败")                                                                 \
    X(RecBadExt, "The file name must end in .pcapng, .jsonl or .txt (or choose a format)",         \
      "文件名须以 .pcapng、.jsonl 或 .txt 结尾（或选择格式）")                                    \
    X(RecReceiveToFile, "Receive to file", "接收转向文件")                                         \
    X(RecForConnection, "Of: %s #%llu", "对象：%s #%llu")                                           \
    X(RecForAllConnections, "Of: %s (all connections)", "对象：%s（全部连接）")                           \
    X(RecFramed, "framed (4-byte length before each message)", "带帧（每条消息前加 4 字节长度）")  \
    X(RecStartReceive, "Start receive to file", "开始接收转向文件") \
    X(ReceiveToFileOn, "Append every received byte to a file", "将收到的每个字节追加到文件")      \
    X(ReceiveToFilePath, "File", "文件")                                                           \
    X(TipReceiveToFile, "Saved in the profile: starts with the endpoint. A relative path is relative to the profile's file.", \
      "保存在配置中：随端点启动。相对路径以配置文件所在目录为准。")                                \
    X(SendFileButton, "Send file...", "发送文件...")                                               \
    X(ChooseFileToSend, "Choose a file to send", "选择要发送的文件")                               \
    X(FileChunk, "Chunk", "分块")                                                                  \
    X(FileGapMs, "Gap ms", "间隔 ms")                                                              \
    X(TipFileChunk, "Bytes per write (UDP: one datagram each, at most 65,507)",                    \
      "每次写入的字节数（UDP：每块一个数据报，最多 65,507）")                                      \
    X(TipFileGap, "Pause after each chunk, in milliseconds", "每块发送后暂停的毫秒数")             \
    X(FileProgress, "%s of %s, %s/s", "%s / %s，%s/s")                                            \
    X(FileDone, "sent %s (%s)", "已发送 %s（%s）")                                                 \
    X(FileWaiting, "%s still queued: the peer is not reading", "%s 仍在发送队列：对端未读取")      \
    X(FileCancelled, "cancelled after %s: %s", "已取消，已发送 %s：%s")                            \
    X(FileFailed, "failed: %s", "失败：%s")                                                        \
    X(ClearAfterSend, "Clear after send", "发送后清除")                                             \
    X(ViewSendPanel, "Send panel", "发送面板")                                                     \
    X(ViewQuickSend, "Quick send", "快捷发送")                                                     \
    X(ViewStatusBar, "Status bar", "状态栏")                                                       \
    X(ViewPanels, "Panels", "面板")                                                                  \
    X(MenuImportCapture, "Import capture...", "导入抓包...")                                       \
    X(ImpTitle, "Import capture", "导入抓包")                                                      \
    X(ImpFile, "Capture file (pcap, pcapng)", "抓包文件（pcap、pcapng）")                          \
    X(ImpBrowse, "Browse...", "浏览...")                                                           \
    X(ImpRead, "Read", "读取")                                                                     \
    X(ImpCancel, "Cancel", "取消")                                                                 \
    X(ImpReading, "Reading %s of %s", "正在读取 %s / %s")                                          \
    X(ImpFlowsFound, "%zu flow(s) in %llu packet(s)", "%zu 个流，%llu 个包")                      \
    X(ImpNoFlows, "No TCP or UDP flow in this file.", "此文件中没有 TCP 或 UDP 流。")             \
    X(ImpProto, "Proto", "协议")                                                                   \
    X(ImpClient, "Client", "客户端")                                                               \
    X(ImpServer, "Server", "服务器")                                                               \
    X(ImpPackets, "Packets", "包数")                                                               \
    X(ImpBytes, "Bytes", "字节")                                                                   \
    X(ImpFirst, "First", "开始")                                                                   \
    X(ImpDuration, "Duration", "时长")                                                             \
    X(ImpState, "State", "状态")                                                                   \
    X(ImpPreview, "First bytes", "前几个字节")                                                     \
    X(ImpSide, "Side to play", "扮演的一方")                                                       \
    X(ImpTarget, "Target endpoint", "目标端点")                                                    \
    X(ImpNewEndpoint, "a new endpoint", "新建端点")                                                \
    X(ImpAsScript, "as a script", "作为脚本")                                                      \
    X(ImpAsCommands, "as saved commands", "作为已存命令")                                          \
    X(ImpScriptName, "Script name", "脚本名称")                                                    \
    X(ImpExpects, "The other side's replies as expects", "对方的回复作为期望")                     \
    X(ImpMatch, "Match", "匹配")                                                                   \
    X(ImpExact, "exact", "完全一致")                                                               \
    X(ImpPrefix, "first N bytes", "前 N 个字节")                                                   \
    X(ImpAny, "anything", "任意")                                                                  \
    X(ImpPrefixBytes, "N", "N")                                                                    \
    X(ImpKeepGaps, "Keep the captured gaps (wait steps)", "保留抓包中的间隔（等待步骤）")         \
    X(ImpPerPacket, "One message per packet (else per turn)", "每个包一条消息（否则每轮一条）")    \
    X(ImpImport, "Import", "导入")                                                                 \
    X(ImpChooseFlow, "Choose a flow in the list.", "请在列表中选择一个流。")                      \
    X(ImpBadName, "A script needs a name without '/'.", "脚本需要一个不含 '/' 的名称。")           \
    X(ImpScriptDone, "Script \"%s\" on %s: %zu send(s), %zu expect(s), %zu wait(s)",              \
      "脚本“%s”已加到 %s：%zu 次发送，%zu 个期望，%zu 次等待")                                    \
    X(ImpCommandsDone, "%zu command(s) added to %s", "%zu 条命令已添加到 %s")                    \
    X(ImpChooseCapture, "Choose a capture file", "选择抓包文件")                                  \
    X(ImpMissing, "%s byte(s) of this flow were not captured; the messages around them are incomplete", \
      "此流有 %s 字节未被抓到；其前后的消息不完整")                                                                   \
    X(QueryText, "Text", "文本")                                                                   \
    X(QueryHex, "Hex", "十六进制")                                                                 \
    X(QueryRegex, "Regex", "正则")                                                                 \
    X(TipQueryMode, "What Find looks for: text, hex bytes (?? = any byte) or a regular expression (PCRE2)", \
      "查找的内容：文本、十六进制字节（?? 表示任意字节）或正则表达式（PCRE2）")                   \
    X(MatchCase, "Aa", "Aa")                                                                       \
    X(TipMatchCase, "Match case (off: A and a are the same)", "区分大小写（关闭时 A 与 a 相同）")  \
    X(FilterRows, "Filter", "筛选")                                                                \
    X(TipFilterRows, "On: show only the rows that match. Off: show every row, highlight the matches, jump with Next/Previous", \
      "开启：只显示匹配的行。关闭：显示所有行，高亮匹配，用上一个/下一个跳转")                     \
    X(FindPrev, "Prev", "上一个")                                                                  \
    X(FindNext, "Next", "下一个")                                                                  \
    X(TipFindPrev, "Previous match (Shift+F3)", "上一个匹配（Shift+F3）")                          \
    X(TipFindNext, "Next match (F3, or Enter in Find)", "下一个匹配（F3，或在查找框中按回车）")      \
    X(Filtering, "filtering %s / %s", "正在筛选 %s / %s")                                          \
    X(Searching, "searching %s / %s", "正在查找 %s / %s")                                          \
    X(NoFurtherMatch, "no further match", "没有更多匹配")                                          \
    X(Bookmarks, "Bookmarks (%s)", "书签（%s）")                                                   \
    X(NoBookmarks, "No bookmarks: Ctrl+B or a row's context menu adds one", "没有书签：按 Ctrl+B 或在行的右键菜单中添加") \
    X(ToggleBookmark, "Bookmark", "书签")                                                          \
    X(TipBookmarks, "Bookmarked rows (Ctrl+B toggles the selected row); click one to go back to it", \
      "已加书签的行（Ctrl+B 切换所选行）；点击返回该行")                                            \
    X(BookmarkHidden, "the bookmarked row is hidden by the filter", "该书签行被筛选隐藏")           \
    X(BookmarkGone, "the bookmarked row is no longer in the log", "该书签行已不在日志中")           \
    X(ClearBookmarks, "Clear bookmarks", "清除书签")                                               \
    X(ExportLog, "Export...", "导出...")                                                           \
    X(TipExportLog, "Write the selection, the filtered view or everything kept to a file", "将所选行、筛选结果或全部保留的日志写入文件") \
    X(ExportTitle, "Export log", "导出日志")                                                       \
    X(ExportRows, "Rows", "行")                                                                    \
    X(ExportSelection, "Selection (%s)", "所选行（%s）")                                           \
    X(ExportFiltered, "Filtered view (%s)", "筛选结果（%s）")                                      \
    X(ExportEverything, "Everything kept (%s)", "全部保留的日志（%s）")                            \
    X(ExportFormatLabel, "Format", "格式")                                                         \
    X(ExportCsv, "CSV", "CSV")                                                                     \
    X(ExportJsonl, "JSON lines", "JSON 行")                                                        \
    X(ExportText, "Text hex dump", "文本十六进制转储")                                             \
    X(ExportPcapng, "pcapng (Wireshark)", "pcapng（Wireshark）")                                   \
    X(ExportFile, "File", "文件")                                                                  \
    X(ExportStart, "Export", "导出")                                                               \
    X(ExportProgress, "%s / %s rows, %s written", "%s / %s 行，已写入 %s")                         \
    X(ExportFinishing, "writing to disk...", "正在写入磁盘...")                                    \
    X(ExportDone, "Exported %s rows to %s (%s)", "已导出 %s 行到 %s（%s）")                        \
    X(ExportLeftOut, "%s rows left out: %s evicted from the log meanwhile, %s event rows (no packet)", \
      "%s 行未导出：其间被日志淘汰 %s 行，事件行 %s 行（无数据包）")                               \
    X(ExportFailed, "Export failed: %s. Nothing was written under that name.", "导出失败：%s。未写入该文件名。") \
    X(ExportCancelled, "Export cancelled: nothing was written to %s", "已取消导出：未写入 %s")      \
    X(ExportNoPath, "Enter a file name", "请输入文件名")                                           \
    X(ExportReplace, "The file exists and will be replaced", "文件已存在，将被替换")                         \
    X(Faults, "Faults", "故障注入")                                                                \
    X(FaultsInject, "Inject faults", "启用故障注入")                                               \
    X(TipFaults, "Misbehave on purpose: late, lost, split or doubled replies (docs/profile-format.md, Fault injection)", "故意出错：延迟、丢失、拆分或重复的回复（见 docs/profile-format.md 的故障注入）") \
    X(FaultsDelay, "Reply delay ms", "回复延迟(毫秒)")                                             \
    X(FaultsTo, "to", "至")                                                                        \
    X(TipFaultsDelay, "Each reply (echo, rules) waits a random time in [min, max]; equal: fixed", "每个回复（回显、规则）等待 [最小, 最大] 内的随机时长；相等即固定") \
    X(FaultsSplit, "Split bytes", "拆分字节")                                                      \
    X(FaultsGap, "gap ms", "间隔毫秒")                                                             \
    X(TipFaultsSplit, "Every send leaves in pieces of this many bytes with the gap after each; 0: off", "每次发送按此字节数拆成片段，片段间隔指定毫秒；0 为关闭") \
    X(FaultsDrop, "Drop replies p", "丢弃回复概率")                                                \
    X(FaultsDuplicate, "Duplicate p", "重复发送概率")                                              \
    X(TipFaultsDuplicate, "Probability that a send leaves twice (a UDP datagram arrives twice)", "发送被重复一次的概率（UDP 数据报到达两次）") \
    X(FaultsSeed, "Seed", "随机种子")                                                              \
    X(TipFaultsSeed, "The same seed repeats the same random decisions; off: different every run", "相同种子重复相同的随机决定；关闭则每次运行不同") \
    X(FaultsBadge, "faults", "故障")                                                               \
    X(FaultsCounts, "%llu delayed, %llu split pieces, %llu dropped, %llu duplicated", "延迟 %llu，拆分片段 %llu，丢弃 %llu，重复 %llu") \
    X(StopReading, "Stop reading", "停止读取")                                                     \
    X(ResumeReading, "Resume reading", "恢复读取")                                                 \
    X(NotReading, "not reading", "未读取")                                                         \
    X(TipNotReading, "Reading stopped: the receive queue fills and the peer's sends block (row menu: Resume reading)", "已停止读取：接收队列填满，对端发送被阻塞（行菜单：恢复读取）")

enum class Str : std::uint16_t {
#define SOCKSCOPE_UI_STR_ENUM(id, en, zh) id,
    SOCKSCOPE_UI_STRINGS(SOCKSCOPE_UI_STR_ENUM)
#undef SOCKSCOPE_UI_STR_ENUM
        Count
};

/// The text of `id` in the current language.
const char* tr(Str id);
/// The text of `id` in a given language (tests, the language picker).
const char* tr(Str id, Language language);

Language currentLanguage();
void setLanguage(Language language);
/// Chinese when LC_ALL, LC_MESSAGES or LANG (first one set) starts with "zh"; else English.
Language languageFromEnvironment();
/// Parses a locale string as found in LANG ("zh_CN.UTF-8" -> Chinese).
Language languageFromLocale(const char* locale);

/// An engine error's words in the current language (its English message where there is no
/// translation: errors the engine phrases ad hoc, such as a profile's own names).
const std::string& errorText(const ErrorInfo& error);

/// A failed file write (a save, an autosave) in the current language. English: `english` as the
/// writer phrased it (what failed, the path, the system's reason). Chinese: the path and the
/// reason in Chinese for the failures a user can fix (disk full, no permission, read-only, no
/// such folder); other reasons keep the system's words.
std::string fileWriteErrorText(std::error_code ec, const std::string& path, const std::string& english);

const char* languageCode(Language language);   // "en", "zh"
Language languageFromCode(const char* code);    // unknown -> English

}  // namespace sockscope::ui
