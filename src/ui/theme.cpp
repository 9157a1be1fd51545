#include "ui/theme.hpp"

namespace sockscope::ui {

namespace {
ImVec4 rgb(int r, int g, int b, float a = 1.0f) {
    return ImVec4(static_cast<float>(r) / 255.0f, static_cast<float>(g) / 255.0f,
                  static_cast<float>(b) / 255.0f, a);
}

const Palette kDark = {
    rgb(110, 190, 255),   // rx: blue
    rgb(255, 196, 92),    // tx: amber
    rgb(150, 160, 175),   // info
    rgb(255, 105, 97),    // error
    rgb(128, 136, 148),   // dim
    rgb(96, 208, 128),    // good
    rgb(240, 200, 80),    // warn
    rgb(255, 105, 97),    // bad
    rgb(140, 145, 155),   // idle
    rgb(120, 170, 255),   // accent
    rgb(140, 60, 30, 0.40f),  // close_wait_bg
};

const Palette kLight = {
    rgb(0, 90, 190),      // rx
    rgb(170, 90, 0),      // tx
    rgb(95, 100, 110),    // info
    rgb(200, 30, 30),     // error
    rgb(120, 125, 135),   // dim
    rgb(20, 140, 60),     // good
    rgb(170, 120, 0),     // warn
    rgb(200, 30, 30),     // bad
    rgb(110, 115, 125),   // idle
    rgb(30, 100, 220),    // accent
    rgb(255, 170, 120, 0.6f),  // close_wait_bg
};
}  // namespace

const Palette& palette(ThemeKind theme) { return theme == ThemeKind::Light ? kLight : kDark; }

void applyTheme(ThemeKind theme, float scale) {
    ImGuiStyle style;
    if (theme == ThemeKind::Light) {
        ImGui::StyleColorsLight(&style);
        style.Colors[ImGuiCol_WindowBg] = rgb(246, 247, 249);
        style.Colors[ImGuiCol_ChildBg] = rgb(255, 255, 255, 0.0f);
        style.Colors[ImGuiCol_TableRowBgAlt] = rgb(0, 0, 0, 0.03f);
        style.Colors[ImGuiCol_Header] = rgb(66, 150, 250, 0.22f);
        // Frames (inputs, checkboxes, unselected radio buttons) must stand out from the
        // near-white background: a grey fill and a visible border.
        style.Colors[ImGuiCol_FrameBg] = rgb(214, 219, 228);
        style.Colors[ImGuiCol_FrameBgHovered] = rgb(210, 222, 240);
        style.Colors[ImGuiCol_FrameBgActive] = rgb(195, 212, 238);
        style.Colors[ImGuiCol_Border] = rgb(160, 166, 176, 0.9f);
        style.Colors[ImGuiCol_BorderShadow] = rgb(0, 0, 0, 0.0f);
        style.Colors[ImGuiCol_CheckMark] = rgb(30, 100, 220);
        style.Colors[ImGuiCol_Button] = rgb(214, 224, 240);
    } else {
        ImGui::StyleColorsDark(&style);
        style.Colors[ImGuiCol_WindowBg] = rgb(24, 26, 30);
        style.Colors[ImGuiCol_ChildBg] = rgb(0, 0, 0, 0.0f);
        style.Colors[ImGuiCol_PopupBg] = rgb(32, 35, 40, 0.98f);
        style.Colors[ImGuiCol_MenuBarBg] = rgb(32, 35, 40);
        style.Colors[ImGuiCol_FrameBg] = rgb(40, 44, 52);
        style.Colors[ImGuiCol_FrameBgHovered] = rgb(52, 58, 68);
        style.Colors[ImGuiCol_FrameBgActive] = rgb(60, 66, 78);
        style.Colors[ImGuiCol_TitleBgActive] = rgb(40, 44, 52);
        style.Colors[ImGuiCol_Button] = rgb(52, 60, 74);
        style.Colors[ImGuiCol_ButtonHovered] = rgb(66, 78, 98);
        style.Colors[ImGuiCol_ButtonActive] = rgb(80, 96, 124);
        style.Colors[ImGuiCol_Header] = rgb(56, 84, 130, 0.65f);
        style.Colors[ImGuiCol_HeaderHovered] = rgb(62, 92, 140, 0.8f);
        style.Colors[ImGuiCol_HeaderActive] = rgb(70, 104, 160);
        style.Colors[ImGuiCol_TableHeaderBg] = rgb(36, 40, 47);
        style.Colors[ImGuiCol_TableRowBgAlt] = rgb(255, 255, 255, 0.025f);
        style.Colors[ImGuiCol_Border] = rgb(55, 60, 70);
        style.Colors[ImGuiCol_Separator] = rgb(55, 60, 70);
        style.Colors[ImGuiCol_Tab] = rgb(36, 40, 47);
        style.Colors[ImGuiCol_TabActive] = rgb(56, 84, 130);
        style.Colors[ImGuiCol_TabHovered] = rgb(66, 98, 150);
    }
    style.WindowRounding = 0;
    style.ChildRounding = 0;
    style.FrameRounding = 3;
    style.PopupRounding = 3;
    style.GrabRounding = 3;
    style.TabRounding = 3;
    style.WindowBorderSize = 0;
    style.ChildBorderSize = 1;
    style.FrameBorderSize = theme == ThemeKind::Light ? 1.0f : 0.0f;
    style.FramePadding = ImVec2(6, 3);
    style.ItemSpacing = ImVec2(6, 4);
    style.CellPadding = ImVec2(5, 2);
    style.WindowPadding = ImVec2(6, 6);
    style.ScrollbarSize = 13;
    style.IndentSpacing = 16;
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

void sameLineIfFits(float width, float x) {
    const float right = ImGui::GetWindowContentRegionMax().x;
    ImGui::SameLine(x);
    if (ImGui::GetCursorPosX() + width <= right) return;
    ImGui::NewLine();
}

float buttonWidth(const char* label) {
    return ImGui::CalcTextSize(label, nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2;
}

float checkboxWidth(const char* label) {
    return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
}

ImVec4 colorOf(const Palette& p, TcpState state) {
    switch (state) {
        case TcpState::Established: return p.good;
        case TcpState::CloseWait: return p.bad;
        case TcpState::SynSent:
        case TcpState::SynRecv:
        case TcpState::FinWait1:
        case TcpState::FinWait2:
        case TcpState::LastAck:
        case TcpState::Closing: return p.warn;
        case TcpState::Listen: return p.accent;
        case TcpState::TimeWait:
        case TcpState::Close:
        case TcpState::Unknown: return p.idle;
    }
    return p.idle;
}

ImVec4 colorOf(const Palette& p, EndpointState state) {
    switch (state) {
        case EndpointState::Listening:
        case EndpointState::Bound:
        case EndpointState::Connected: return p.good;
        case EndpointState::Resolving:
        case EndpointState::Connecting:
        case EndpointState::WaitingRetry: return p.warn;
        case EndpointState::Failed: return p.bad;
        case EndpointState::Stopped: return p.idle;
    }
    return p.idle;
}

}  // namespace sockscope::ui
