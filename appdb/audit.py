"""Audit trail: who looked at or changed what (workers' cases are sensitive personal data).

`record` adds to the caller's session, so the entry commits or rolls back with the change it
describes. Strings in `detail` are masked; never put passwords or full texts in it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from appdb.models import AuditLog, utcnow
from knowledge.privacy import mask


# Every action `record` is called with, as the audit log names it to staff (tests/unit/test_audit_labels.py
# finds each action in the code and checks it is here).
ACTION_LABELS = {
    "login": "登录", "logout": "退出登录", "login.failed": "登录失败", "login.locked": "登录被锁定",
    "login.throttled": "登录被限制（同一网络地址失败过多）",
    "access.verified": "职工查询身份核验通过", "access.failed": "职工查询身份核验失败",
    "user.create": "新建账号", "user.set_password": "重设密码", "user.activate": "启用账号",
    "user.deactivate": "停用账号", "user.display_name": "修改显示名", "user.role": "修改角色",
    "case.create": "登记案件", "case.view": "查看案件", "case.take": "接手案件", "case.assign": "分派案件",
    "case.hand_back": "交回助手", "case.close": "办结案件", "case.note": "添加案件备注",
    "booking.create": "新建预约", "booking.cancel": "取消预约", "booking.change": "改约",
    "booking.export": "导出预约",
    "service.create": "新建服务", "service.update": "修改服务", "slot.create": "开放号源",
    "slot.capacity": "修改号源名额", "slot.close": "关闭号源", "slot.reopen": "重新开放号源",
    "faq.create": "新建知识条目", "faq.edit": "修改知识条目", "faq.review": "审核知识条目",
    "faq.publish": "发布知识条目", "faq.withdraw": "撤下知识条目", "faq.rollback": "回滚知识条目",
    "document.upload": "上传法规文件", "document.publish": "发布法规文件", "document.retire": "停用法规文件",
    "leave_figures.propose": "提交地方假期天数", "leave_figures.approve": "批准地方假期天数",
    "leave_figures.reject": "退回地方假期天数",
    "unanswered.open": "未答问题重新打开", "unanswered.handled": "未答问题已处理",
    "unanswered.dismissed": "忽略未答问题",
    "retention.purge": "清理过期数据",
}
# The keys of `detail`, as the audit log names them (a key missing here is shown as 其他).
DETAIL_LABELS = {
    "ip": "网络地址", "via": "途径", "role": "角色", "old": "原来", "new": "改为", "priority": "紧急程度",
    "category": "类别", "officer": "维权专员", "outcome": "办理结果", "force": "管理员代办", "slot": "号源",
    "old_slot": "原号源", "new_slot": "新号源", "channel": "渠道", "rows": "行数", "service": "服务",
    "first": "从", "last": "到", "status": "状态", "period": "时段", "capacity": "名额", "added": "新增",
    "confirmed": "已确认的预约", "name": "名称", "active": "开放", "version": "版本", "to": "改为",
    "topic": "主题", "reason": "原因", "from_unanswered": "来自未答问题", "filename": "文件名", "bytes": "大小（字节）",
    "chunks": "段数", "title": "标题", "source": "来源", "doc_id": "文件编号", "proposal": "提交编号",
    "proposed_by": "提交人", "figures": "天数", "ids": "问题编号", "count": "条数", "cases": "案件",
    "bookings": "预约", "unanswered": "未答问题", "answers": "回答记录", "conversations": "对话",
    "events": "对话事件", "sessions": "登录会话", "note": "备注", "article": "条文",
    "maternity_extra_days": "延长生育假", "maternity_second": "第二个孩子", "maternity_third": "第三个孩子",
    "maternity_extra_by_order": "按孩次延长生育假", "paternity_days": "陪产假", "parental_leave": "育儿假",
    "marriage_leave": "婚假",
}


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask(str(value))  # dates, enums …: stored as text


def record(session: Session, actor: str, action: str, target: str = "", **detail: Any) -> AuditLog:
    """Add one entry, e.g. record(s, "wang", "case.view", "AJ7K3Q2PYY")."""
    entry = AuditLog(at=utcnow(), actor=actor[:128], action=action[:64], target=(target or "")[:128],
                     detail=_masked(detail))
    session.add(entry)
    return entry


def entries(session: Session, *, actor: str | None = None, target: str | None = None,
            action: str | None = None, limit: int = 100) -> list[AuditLog]:
    """Most recent first."""
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    if actor is not None:
        query = query.where(AuditLog.actor == actor)
    if target is not None:
        query = query.where(AuditLog.target == target)
    if action is not None:
        query = query.where(AuditLog.action == action)
    return list(session.scalars(query))
