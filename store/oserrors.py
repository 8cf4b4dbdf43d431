"""Why a file operation failed, in plain Traditional Chinese (never the English strerror)."""

from __future__ import annotations

import errno

REASONS = {
    errno.ENOENT: "不存在（或所在的資料夾不存在）",
    errno.EISDIR: "是資料夾，不是檔案",
    errno.ENOTDIR: "路徑中有一段是檔案而不是資料夾",
    errno.EEXIST: "已存在，或路徑中有一段是檔案而不是資料夾",
    errno.EACCES: "沒有存取權限",
    errno.EPERM: "沒有存取權限",
    errno.ENOSPC: "磁碟空間不足",
    errno.EDQUOT: "超過磁碟配額",
    errno.EROFS: "位於唯讀的檔案系統",
    errno.ENAMETOOLONG: "路徑太長",
    errno.ELOOP: "符號連結形成迴圈",
    errno.EFBIG: "檔案太大",
    errno.EIO: "磁碟讀寫錯誤",
}
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def reason(exc: OSError) -> str:
    """The reason of an OSError in Chinese, e.g. 沒有存取權限."""
    return REASONS.get(exc.errno or 0) or f"無法存取（{errno.errorcode.get(exc.errno or 0, '?')}）"
